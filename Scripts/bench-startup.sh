#!/usr/bin/env bash
# Start-up cost of `otp` against an earlier commit's build, in one hyperfine run: `--version` and a vault-less
# `code --from` (the smallest real command).
#   Scripts/bench-startup.sh COMMIT      (e.g. a113857, the last commit before the team vault linked postgres-nio)
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?give the commit to compare with}
tree=/tmp/otp-startup-$old
[ -d "$tree" ] || git worktree add -f "$tree" "$old" >/dev/null
(cd "$tree" && swift build -c release --product otp >/dev/null)
[ -x .build/release/otp ] || swift build -c release --product otp >/dev/null
uri='otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=A'
hyperfine -N -w 5 -r 60 "$tree/.build/release/otp --version" ".build/release/otp --version" \
  "$tree/.build/release/otp code --from $uri --format raw" ".build/release/otp code --from $uri --format raw" \
  2>/dev/null | grep -E "Time|Benchmark"
