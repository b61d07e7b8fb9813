#!/usr/bin/env bash
# What a TOTP `otp code` from a vault maps, and its start-up, for two builds in one run (issue 25):
#   the shared libraries in /proc/PID/maps (libpq, zbar and through it X11 and D-Bus must not be there), and
#   hyperfine of `otp --version`, `otp code --from URI` and `otp code QUERY` on a vault (scrypt unlock included).
#   Scripts/bench-maps.sh OLD_OTP NEW_OTP      (two release binaries; make bench-deps for hyperfine)
set -euo pipefail
old=${1:?old otp binary}; new=${2:?new otp binary}
dir=$(mktemp -d /tmp/otp-bench-maps.XXXXXX); trap 'rm -rf "$dir"' EXIT
uri='otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=A'
for bin in "$old" "$new"; do
  v="$dir/$(basename "$(dirname "$bin")")-$RANDOM.sqlite"
  OTP_VAULT=$v OTP_PASSPHRASE=bench "$bin" import --create "$uri" >/dev/null 2>&1
  # --min-remaining 29 waits for the next step almost always, so the maps can be read while the command runs.
  OTP_VAULT=$v OTP_PASSPHRASE=bench "$bin" code a --min-remaining 29 >/dev/null 2>&1 & pid=$!
  sleep 1
  libs=$(grep -o '/[^ ]*\.so[.0-9]*' /proc/$pid/maps | sort -u)
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  echo "$bin: otp code (vault, TOTP) maps $(echo "$libs" | wc -l) libraries;" \
    "libpq $(echo "$libs" | grep -c libpq || true), zbar $(echo "$libs" | grep -c libzbar || true)," \
    "X11 $(echo "$libs" | grep -c libX11 || true), D-Bus $(echo "$libs" | grep -c libdbus || true)," \
    "ICU $(echo "$libs" | grep -c ICU || true)"
  echo "OTP_VAULT=$v" > "$dir/env-$(echo "$bin" | md5sum | cut -c1-8)"
done
vo=$(cut -d= -f2 "$dir/env-$(echo "$old" | md5sum | cut -c1-8)"); vn=$(cut -d= -f2 "$dir/env-$(echo "$new" | md5sum | cut -c1-8)")
hyperfine -N -w 5 -r 40 "$old --version" "$new --version" \
  "$old code --from $uri --format raw" "$new code --from $uri --format raw" \
  "env OTP_VAULT=$vo OTP_PASSPHRASE=bench $old code a --format raw" \
  "env OTP_VAULT=$vn OTP_PASSPHRASE=bench $new code a --format raw" 2>/dev/null | grep -E "Time|Benchmark"
