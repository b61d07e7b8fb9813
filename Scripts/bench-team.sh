#!/usr/bin/env bash
# The team vault on a local PostgreSQL 15 against the same vault in a file, in one run (issue 15):
#   1. `otp code QUERY` latency with 1 000 accounts (the personal vault's scrypt unlock is in both);
#   2. importing 1 000 accounts (one transaction);
#   3. 8 concurrent clients taking HOTP codes of one account (every counter value once), codes per second.
#   Scripts/bench-team.sh        (needs hyperfine and postgresql: make bench-deps; a release build)
# The server is a throwaway cluster with a Unix socket in a temporary folder, run as the postgres user when root.
set -euo pipefail
cd "$(dirname "$0")/.."
otp=$PWD/.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/otp-bench-team.XXXXXX)
as=(); [ "$(id -u)" = 0 ] && { chown postgres "$dir"; as=(runuser -u postgres --); }
cleanup() { "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U otp --no-sync >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-k $dir -c listen_addresses=''" -l "$dir/log" -w start >/dev/null </dev/null
psql() { "$bin/psql" -h "$dir" -U otp -d postgres -X -q -c "$1" >/dev/null; }
url() { echo "postgresql://otp@/$1?host=$dir&sslmode=disable"; }
export OTP_PASSPHRASE=bench OTP_PERSONAL_VAULT=$dir/personal.sqlite
"$otp" init --vault "$OTP_PERSONAL_VAULT" 2>/dev/null
python3 -c "
import base64, os
with open('$dir/1000.txt', 'w') as f:
    for i in range(999):
        f.write(f'otpauth://totp/I{i}:u{i}?secret={base64.b32encode(os.urandom(20)).decode()}&issuer=I{i}\n')
    f.write('otpauth://hotp/Shared:h?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Shared&counter=0\n')
"
psql "CREATE DATABASE team"
OTP_VAULT=$(url team) "$otp" team create --member bench 2>/dev/null
OTP_VAULT=$(url team) "$otp" import "$dir/1000.txt" >/dev/null 2>&1
"$otp" import --create --vault "$dir/file.sqlite" "$dir/1000.txt" >/dev/null 2>&1
echo "== 1. otp code I500 (one TOTP code; 1 000 accounts; personal vault unlocked each time)"
hyperfine -N -w 3 -r 30 \
  "env OTP_VAULT=$dir/file.sqlite $otp code I500 --format raw" \
  "env OTP_VAULT=$(url team) $otp code I500 --format raw" \
  "env OTP_VAULT=$dir/file.sqlite $otp --version" 2>/dev/null | grep -E "Time|±|Benchmark"
echo "== 2. import 1 000 accounts into an empty vault"
hyperfine -N -r 5 \
  --prepare "rm -f $dir/fresh.sqlite $dir/fresh.sqlite-wal $dir/fresh.sqlite-shm" \
  "$otp import --create --vault $dir/fresh.sqlite $dir/1000.txt" \
  --prepare "sh -c '$bin/psql -h $dir -U otp -d postgres -X -q -c \"DROP DATABASE IF EXISTS fresh\" -c \"CREATE DATABASE fresh\" && OTP_VAULT=\"$(url fresh)\" $otp team create --member bench 2>/dev/null'" \
  "$otp import --vault $(url fresh) $dir/1000.txt" 2>/dev/null | grep -E "Time|±|Benchmark"
echo "== 3. 8 clients × 25 HOTP codes of one account, at once"
for vault in "$dir/file.sqlite" "$(url team)"; do
  start=$(date +%s.%N)
  seq 8 | xargs -P 8 -I{} sh -c "for i in \$(seq 25); do OTP_VAULT='$vault' $otp code shared --json; done" \
    > "$dir/codes.json" 2>"$dir/err"
  end=$(date +%s.%N)
  taken=$(grep -c '"counter"' "$dir/codes.json" || true)
  distinct=$(grep '"counter"' "$dir/codes.json" | sort -u | wc -l)
  python3 -c "print(f'$vault'.split('?')[0].split('/')[-1] or 'team', '200 processes:', $taken, 'codes,', $distinct, 'distinct counters,', round($taken/($end-$start),1), 'codes/s')"
done
