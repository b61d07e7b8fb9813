#!/usr/bin/env bash
# Vault costs, whole process: unlock (default scrypt), import of 1000 accounts, list and code on 10 000 accounts.
#   Scripts/bench-vault.sh      (needs hyperfine; a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
otp=$PWD/.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
dir=$(mktemp -d /tmp/otp-bench-vault.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export OTP_PASSPHRASE="benchmark passphrase"
python3 - "$dir" <<'PY'
import base64, sys
d = sys.argv[1]
def uris(prefix, n):
    return "".join(f"otpauth://totp/{prefix}:user{i}?secret={base64.b32encode(f'{prefix}-{i:08d}-secretpad'.encode()).decode().rstrip('=')}&issuer={prefix}\n" for i in range(n))
open(f"{d}/1000.txt", "w").write(uris("Thousand", 1000))
open(f"{d}/10000.txt", "w").write(uris("Big", 9999) + uris("Needle", 1))
PY
OTP_VAULT=$dir/empty.sqlite "$otp" init 2>/dev/null
OTP_VAULT=$dir/big.sqlite "$otp" import --create "$dir/10000.txt" >/dev/null 2>&1
echo "== unlock: otp list on an empty vault (default scrypt) vs otp --help (process start)"
OTP_VAULT=$dir/empty.sqlite hyperfine -N -w 2 -r 15 "$otp list" "$otp --help" 2>/dev/null | grep -E "Benchmark|Time"
echo "== import 1000 accounts from a text file into a new vault (one transaction for the input)"
hyperfine -w 1 -r 8 --prepare "rm -f $dir/t.sqlite*" "OTP_VAULT=$dir/t.sqlite $otp import --create $dir/1000.txt" 2>/dev/null | grep -E "Time"
echo "== on 10 000 accounts: otp list, otp code needle, otp list on the empty vault (unlock alone)"
hyperfine -N -w 2 -r 10 "env OTP_VAULT=$dir/big.sqlite $otp list" "env OTP_VAULT=$dir/big.sqlite $otp code needle" "env OTP_VAULT=$dir/empty.sqlite $otp list" 2>/dev/null | grep -E "Benchmark|Time"
