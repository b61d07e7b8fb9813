#!/usr/bin/env bash
# Export speed: 10 000 accounts in every format, and Google transfer QR images for 1 000 accounts (hyperfine, whole
# process, unlock included: scrypt N=2^15 ≈ 90 ms of each run).
#   Scripts/bench-export.sh         (needs hyperfine: make bench-deps; a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
otp=$PWD/.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
python3 -c "
import base64, os
for n in (10000, 1000):
    with open('$dir/%d.txt' % n, 'w') as f:
        for i in range(n):
            f.write(f'otpauth://totp/Issuer{i}:user{i}@example.com?secret={base64.b32encode(os.urandom(20)).decode()}&issuer=Issuer{i}\n')
"
printf 'bench\n' > "$dir/pw"
OTP_VAULT=$dir/10k.sqlite OTP_PASSPHRASE=bench "$otp" import --create "$dir/10000.txt" >/dev/null 2>&1
OTP_VAULT=$dir/1k.sqlite OTP_PASSPHRASE=bench "$otp" import --create "$dir/1000.txt" >/dev/null 2>&1
echo "== 10 000 accounts"
for format in uri google-uri aegis "aegis --encrypt --export-passphrase-file $dir/pw" html; do
  hyperfine -N -w 1 -r 5 "env OTP_VAULT=$dir/10k.sqlite OTP_PASSPHRASE=bench $otp export --format $format --force -o $dir/out" \
    2>/dev/null | grep -E "Time" | sed "s|^|$format: |"
done
echo "== Google transfer QR images, 1 000 accounts (100 images)"
hyperfine -N -w 1 -r 5 "env OTP_VAULT=$dir/1k.sqlite OTP_PASSPHRASE=bench $otp export --format google --force -o $dir/images" \
  2>/dev/null | grep -E "Time"
ls "$dir/images" | wc -l | sed 's/^/images: /'
