#!/usr/bin/env bash
# `otp code` latency as a script sees it (aws-vault's mfa_process): unlocking with the passphrase each time (scrypt),
# through the agent (otp unlock), --once, and --from without a vault; hyperfine, whole process, one run.
#   Scripts/bench-code.sh        (needs hyperfine: make bench-deps; a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
otp=$PWD/.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
dir=$(mktemp -d); trap '"$otp" lock --vault "$dir/v.sqlite" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
export OTP_VAULT=$dir/v.sqlite
uri='otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=Amazon%20Web%20Services'
python3 -c "
import base64, os
with open('$dir/1000.txt', 'w') as f:
    for i in range(999):
        f.write(f'otpauth://totp/I{i}:u{i}?secret={base64.b32encode(os.urandom(20)).decode()}&issuer=I{i}\n')
" 
OTP_PASSPHRASE=bench "$otp" import --create "$dir/1000.txt" >/dev/null 2>&1
OTP_PASSPHRASE=bench "$otp" import "$uri" >/dev/null 2>&1
OTP_PASSPHRASE=bench "$otp" edit alice --serial arn:aws:iam::123456789012:mfa/alice >/dev/null
echo "== 1000 accounts in the vault"
hyperfine -N -w 2 -r 20 \
  "env OTP_PASSPHRASE=bench $otp code --serial arn:aws:iam::123456789012:mfa/alice --format raw" \
  "$otp code --from $uri --format raw" 2>/dev/null | grep -E "Time|±|code"
OTP_PASSPHRASE=bench "$otp" unlock --timeout 10m
hyperfine -N -w 3 -r 50 \
  "$otp code --serial arn:aws:iam::123456789012:mfa/alice --format raw" \
  "$otp code alice --format raw" 2>/dev/null | grep -E "Time|±|code"
"$otp" lock
