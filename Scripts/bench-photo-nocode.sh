#!/usr/bin/env bash
# Time per photo that holds no code (issue 27's regression benchmark): Scripts/photo-set.py --no-code makes every kind's
# photos with random modules in place of the code (no finder patterns), and each otp given scans them all, in turns,
# three rounds; the mean and the slowest photo per binary are printed, measured in one run.
#   Scripts/bench-photo-nocode.sh OTP [OTP ...]   (e.g. a build of main before the change, and this one)
# Needs: python3 with segno, numpy and pillow (see photo-set.py).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
dir=$(mktemp -d /tmp/otp-nocode.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$python" Scripts/photo-set.py --no-code --per-kind "${PER_KIND:-6}" --seed "${SEED:-20261129}" --out "$dir"
"$python" - "$dir" "$@" <<'PY'
import glob, os, subprocess, sys, time
folder, binaries = sys.argv[1], sys.argv[2:]
files = sorted(glob.glob(os.path.join(folder, "*.jpg")))
times = {b: [] for b in binaries}
for _ in range(3):
    for b in binaries:
        for f in files:
            start = time.perf_counter()
            p = subprocess.run([b, "scan", f], capture_output=True)
            times[b].append((time.perf_counter() - start, os.path.basename(f), p.returncode))
for b in binaries:
    t = times[b]
    found = sum(1 for _, _, rc in t if rc == 0)
    slowest = max(t)
    print(f"{b}: {len(files)} photos x 3, mean {1000 * sum(x for x, _, _ in t) / len(t):.1f} ms/photo, "
          f"slowest {1000 * slowest[0]:.0f} ms ({slowest[1]}), codes reported {found}")
PY
