#!/usr/bin/env bash
# Fresh-clone set-up cost of a commit, as a new user or CI meets it (packages already installed):
#   wall time of `make demo` (release build + the demo) and of `make test` (debug build + the suite) in a new clone
#   with no .build, the release binary's size, the packages `swift package show-dependencies` lists, and how many
#   shared libraries a TOTP `otp code` maps (/proc/PID/maps) and which of libpq, zbar, X11, D-Bus among them.
#   Scripts/bench-build.sh COMMIT [COMMIT…]     (e.g. a8726df HEAD; run one after the other, nothing else running)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
for commit in "$@"; do
  sha=$(git rev-parse --short "$commit")
  tree=$(mktemp -d /tmp/otp-bench-build-$sha.XXXXXX)
  git clone -q "$repo" "$tree" && git -C "$tree" checkout -q "$sha"
  start=$(date +%s.%N); make -C "$tree" demo >"$tree.demo.log" 2>&1; demo=$(echo "$(date +%s.%N) - $start" | bc)
  start=$(date +%s.%N); make -C "$tree" test >"$tree.test.log" 2>&1 || echo "($sha: make test failed, see $tree.test.log)"
  tests=$(echo "$(date +%s.%N) - $start" | bc)
  size=$(stat -c %s "$tree/.build/release/otp")
  packages=$(cd "$tree" && swift package show-dependencies --format flatlist 2>/dev/null | tr '\n' ' ')
  uri='otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=A'
  # A TOTP code that waits for a fresh step (--min-remaining 29 sleeps), so its maps can be read while it runs.
  "$tree/.build/release/otp" code --from "$uri" --min-remaining 29 >/dev/null 2>&1 & pid=$!
  sleep 0.5
  libs=$(grep -o '/[^ ]*\.so[.0-9]*' /proc/$pid/maps | sort -u)
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  printf '%s: make demo %.0f s, make test %.0f s, binary %.1f MB, %d libraries mapped by otp code' \
    "$sha" "$demo" "$tests" "$(echo "$size / 1000000" | bc -l)" "$(echo "$libs" | wc -l)"
  printf ' (libpq %s, zbar %s, X11 %s, D-Bus %s)\n' \
    "$(echo "$libs" | grep -c libpq || true)" "$(echo "$libs" | grep -c libzbar || true)" \
    "$(echo "$libs" | grep -c libX11 || true)" "$(echo "$libs" | grep -c libdbus || true)"
  echo "   packages: $packages"
  echo "   $(grep -E 'Test run with' "$tree.test.log" | tail -1)"
  rm -rf "$tree"
done
