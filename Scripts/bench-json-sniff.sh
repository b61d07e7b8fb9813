#!/usr/bin/env bash
# Reading a large JSON input that is no known export (9.6 MB, 250 000 objects) against an earlier commit's build, in
# one hyperfine run: the cost of recognising JSON exports by content.
#   Scripts/bench-json-sniff.sh COMMIT
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?give the commit to compare with}
tree=/tmp/otp-sniff-$old
[ -d "$tree" ] || git worktree add -f "$tree" "$old" >/dev/null
(cd "$tree" && swift build -c release --product otp >/dev/null 2>&1)
swift build -c release --product otp >/dev/null 2>&1
python3 -c "import json; json.dump([{'x': i, 'y': 'abc' * 5} for i in range(250000)], open('/tmp/otp-sniff.json', 'w'))"
hyperfine -N -i -w 1 -r 5 "$tree/.build/release/otp check /tmp/otp-sniff.json" \
  ".build/release/otp check /tmp/otp-sniff.json" 2>/dev/null | grep -E "Time|Benchmark"
