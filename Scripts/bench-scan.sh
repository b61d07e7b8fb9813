#!/usr/bin/env bash
# Whole-process scan time and peak RSS of `otp scan` against zbarimg on the same files, in one run.
#   Scripts/bench-scan.sh [FILE.png ...]     (default: the 4K and 1080p console fixtures)
# Needs: hyperfine, zbar-tools (make bench-deps), a release build (swift build -c release).
set -euo pipefail
cd "$(dirname "$0")/.."
otp=.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(Tests/Fixtures/png/console-4k-rgba.png Tests/Fixtures/png/console-1080p.png Tests/Fixtures/png/console-1080p-dark.png Tests/Fixtures/png/no-code.png)
for f in "${files[@]}"; do
  echo "== $f"
  hyperfine -N -i -w 3 -r 30 --export-json /tmp/otp-bench.json "$otp scan $f" "zbarimg --nodbus -q --raw $f" 2>/dev/null | grep -E "Time|±" || true
  python3 - <<'PY'
import json
r = json.load(open("/tmp/otp-bench.json"))["results"]
print(f"   ratio otp/zbarimg (means): {r[0]['mean'] / r[1]['mean']:.2f}")
PY
  for cmd in "$otp scan $f" "zbarimg --nodbus -q --raw $f"; do
    /usr/bin/time -f "%M" -o /tmp/otp-rss $cmd >/dev/null 2>&1 || true
    rss=$(tail -1 /tmp/otp-rss)
    echo "   peak RSS $(basename "${cmd%% *}"): $((rss / 1024)) MiB"
  done
  { "$otp" scan --verbose "$f" 2>&1 >/dev/null || true; } | head -1 | sed 's/^/   steps: /'
done
