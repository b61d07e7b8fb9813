#!/usr/bin/env bash
# A 12 MP JPEG phone photo, whole process: `otp scan` against zbarimg and against libjpeg-turbo's own decode of the
# same file (djpeg to gray, and to colour), in one run; peak RSS of each. Also the same frame without a code (the
# cost of finding nothing). The photos are made by Scripts/photo-set.py's generator (seeded) in a temporary folder.
#   Scripts/bench-photo.sh
# Needs: hyperfine, zbar-tools, libjpeg-turbo-progs (djpeg), segno/numpy/pillow, a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
otp=.build/release/otp
[ -x "$otp" ] || swift build -c release --product otp
dir=$(mktemp -d /tmp/otp-bench-photo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import importlib.util, math, os, sys
import numpy as np
from PIL import Image
spec = importlib.util.spec_from_file_location("ps", os.path.join("Scripts", "photo-set.py"))
ps = importlib.util.module_from_spec(spec); spec.loader.exec_module(ps)
rng = np.random.default_rng(12)
text = ps.totp_uri(rng, 0)
code = ps.render(ps.matrix(text), 6)
# 4000 x 3000, the code about a third of the frame's width, slightly tilted, sensor noise: a phone photo of a screen.
img = ps.place(code, (3000, 4000), rng, max_shift=0.04, angle=0.12, scale=1300 / code.shape[0], fill=205)
img = ps.finish(img, rng, 3)
rgb = np.stack([img, np.clip(img.astype(int) + 6, 0, 255).astype(np.uint8), img], -1)
Image.fromarray(rgb).save(os.path.join(sys.argv[1], "photo-12mp.jpg"), "JPEG", quality=90)
blank = ps.finish(np.full((3000, 4000), 205.0), rng, 3)
Image.fromarray(np.stack([blank] * 3, -1)).save(os.path.join(sys.argv[1], "no-code-12mp.jpg"), "JPEG", quality=90)
PY
for f in "$dir/photo-12mp.jpg" "$dir/no-code-12mp.jpg"; do
  echo "== $(basename "$f") ($(stat -c %s "$f") bytes)"
  hyperfine -N -i -w 2 -r 15 --export-json /tmp/otp-bench.json "$otp scan $f" "zbarimg --nodbus -q --raw $f" \
    "djpeg -grayscale -outfile /dev/null $f" "djpeg -outfile /dev/null $f" 2>/dev/null | grep -E "Time" || true
  python3 - <<'PY'
import json
r = json.load(open("/tmp/otp-bench.json"))["results"]
otp, zbar, gray, color = (x["median"] for x in r)
print(f"   medians: otp {otp*1000:.0f} ms, zbarimg {zbar*1000:.0f} ms, djpeg gray {gray*1000:.0f} ms, djpeg colour {color*1000:.0f} ms")
print(f"   otp / zbarimg {otp/zbar:.2f}; otp / djpeg colour decode {otp/color:.2f}; otp / djpeg gray decode {otp/gray:.2f}")
PY
  for cmd in "$otp scan $f" "zbarimg --nodbus -q --raw $f" "djpeg -outfile /dev/null $f"; do
    /usr/bin/time -f "%M" -o /tmp/otp-rss $cmd >/dev/null 2>&1 || true
    echo "   peak RSS $(basename "${cmd%% *}"): $(( $(tail -1 /tmp/otp-rss) / 1024 )) MiB"
  done
  { "$otp" scan --verbose "$f" 2>&1 >/dev/null || true; } | head -1 | sed 's/^.*jpg: /   steps: /'
done
