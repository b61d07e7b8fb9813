#!/usr/bin/env bash
# Batch import throughput: 500 generated 1080p console screenshots (made outside the repository) imported with
# 2 workers and with 1, and a shell loop of zbarimg alone over the same files, in one run.
#   Scripts/bench-batch.sh [COUNT]      (needs hyperfine, zbar-tools, pip install segno numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-500}
otp=$PWD/.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
dir=$(mktemp -d /tmp/otp-bench-batch.XXXXXX)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" "$count" <<'PY'
import importlib, os, sys
sys.path.insert(0, "Scripts")
fx = importlib.import_module("make-fixtures")
out, n = sys.argv[1], int(sys.argv[2])
fx.OUT = out
for i in range(n):
    import base64
    secret = base64.b32encode(f"bench-secret-{i:06d}-xyz".encode()).decode().rstrip("=")
    uri = fx.aws_uri(f"user{i}", "123456789012", secret)
    img = fx.screenshot(1920, 1080)
    fx.place(img, fx.qr_modules(uri, 5), 860, 380, (0, 0, 0), (255, 255, 255))
    fx.write_png(f"shot-{i:04d}.png", img, 2)
PY
export OTP_PASSPHRASE="benchmark passphrase"
du -sh "$dir" | sed 's/^/files: /'
hyperfine -w 1 -r 3 --prepare "rm -f $dir/v.sqlite*" \
  "OTP_VAULT=$dir/v.sqlite $otp import --create --jobs 2 $dir" \
  "OTP_VAULT=$dir/v.sqlite $otp import --create --jobs 1 $dir" \
  "for f in $dir/*.png; do zbarimg --nodbus -q --raw \$f; done" \
  --export-json /tmp/otp-batch.json 2>/dev/null | grep -E "Benchmark|Time"
python3 - <<'PY'
import json
two, one, zbar = [x["mean"] for x in json.load(open("/tmp/otp-batch.json"))["results"]]
print(f"2 workers vs 1: {one / two:.2f}x throughput; otp (2 workers) / zbarimg loop: {two / zbar:.2f}")
PY
