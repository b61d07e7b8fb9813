#!/usr/bin/env bash
# Issue 9, class 9: ROUNDS rounds of PROCS processes importing into one new vault at once. Every exit status is
# checked, and every round must end with PROCS accounts.
#   Scripts/concurrent-create.sh [PATH/TO/otp] [ROUNDS=50] [PROCS=8]
set -u
otp=${1:-$(dirname "$0")/../.build/release/otp}; rounds=${2:-50}; procs=${3:-8}
secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP
fail=0
for r in $(seq 1 "$rounds"); do
  d=$(mktemp -d); pids=()
  for i in $(seq 1 "$procs"); do
    OTP_VAULT=$d/v/vault.sqlite OTP_PASSPHRASE=pw "$otp" import --create "otpauth://totp/I$i:n$i?secret=$secret&issuer=I$i" \
      >/dev/null 2>"$d/err$i" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then fail=$((fail + 1)); grep -v "visible to other" "$d/err$((i + 1))" | head -2; fi
  done
  n=$(OTP_VAULT=$d/v/vault.sqlite OTP_PASSPHRASE=pw "$otp" list 2>/dev/null | wc -l)
  [ "$n" = "$procs" ] || { echo "round $r: $n accounts"; fail=$((fail + 1)); }
  rm -rf "$d"
done
echo "$rounds rounds x $procs processes creating one new vault: $fail failures"
[ "$fail" = 0 ]
