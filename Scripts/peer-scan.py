#!/usr/bin/env python3
"""Decode rate and speed of `otp scan` against its peers on the zxing QR blackbox corpus, all in one run.

    python3 Scripts/peer-scan.py [PATH/TO/otp] [--corpus DIR] [--png-only] [--convert] [--misses]

For every image with an expected `.txt` beside it, runs `otp scan --json`, `zbarimg --nodbus -q --raw` and, when
the Python binding is installed (`pip install zxing-cpp`), zxing-cpp. otp and zxing-cpp read the original files
(PNG, JPEG, WebP); zbarimg gets WebP files converted to PNG (Pillow) because it cannot read them. `--convert` gives
otp the converted PNGs too (the first release's only format); `--png-only` keeps the PNG files alone.
A result is a read when some returned text equals the expected text exactly, a misread when something was
returned but nothing matches. Prints rates per sub-folder and overall for ASCII payloads, separately for
non-ASCII payloads, and the median wall time per image (whole process for otp and zbarimg; decode of the
loaded image plus the load for zxing-cpp). Skips when the corpus is absent.
"""
import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("otp", nargs="?", default=os.path.join(here, "..", ".build", "release", "otp"))
ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
ap.add_argument("--png-only", action="store_true")
ap.add_argument("--convert", action="store_true", help="give otp PNG copies of JPEG and WebP files")
ap.add_argument("--misses", action="store_true", help="list the images otp does not read")
args = ap.parse_args()
root = os.path.join(args.corpus, "zxing-qrcode")
if not os.path.isdir(root):
    print(f"skip: {root} not found")
    sys.exit(0)

try:
    from PIL import Image
except ImportError:
    Image = None
try:
    import zxingcpp
except ImportError:
    zxingcpp = None
zbarimg = shutil.which("zbarimg")
tmp = tempfile.mkdtemp(prefix="otp-peer-")

samples = []
for dirpath, _, files in sorted(os.walk(root)):
    for f in sorted(files):
        stem, ext = os.path.splitext(f)
        if ext.lower() not in (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"):
            continue
        expected_path = os.path.join(dirpath, stem + ".txt")
        if not os.path.exists(expected_path):
            continue
        path = os.path.join(dirpath, f)
        converted = path
        if ext.lower() not in (".png", ".jpg", ".jpeg"):
            if args.png_only or Image is None:
                continue
            converted = os.path.join(tmp, os.path.relpath(path, root).replace(os.sep, "_") + ".png")
            Image.open(path).convert("RGB").save(converted)
        elif ext.lower() != ".png" and args.png_only:
            continue
        expected = open(expected_path, "rb").read()
        samples.append((os.path.relpath(dirpath, root), f, path, converted, expected))


passes = collections.Counter()


def run_otp(path):
    start = time.perf_counter()
    p = subprocess.run([args.otp, "scan", "--json", path], capture_output=True)
    elapsed = time.perf_counter() - start
    try:
        found = [t.encode("utf-8") for t in json.loads(p.stdout)[0]["payloads"]]
    except Exception:
        return [], elapsed
    if not found:
        return [], elapsed
    # Which pass read it (a second, untimed run with --verbose).
    v = subprocess.run([args.otp, "scan", "--verbose", path], capture_output=True)
    first = (v.stderr.decode(errors="replace").splitlines() or [""])[0]
    steps = [s for s in first.split(": ", 1)[-1].split("; ") if "found" in s]
    passes[steps[0].rsplit(":", 1)[0] if steps else "?"] += 1
    return found, elapsed


def run_zbarimg(path):
    start = time.perf_counter()
    p = subprocess.run([zbarimg, "--nodbus", "-q", "--raw", path], capture_output=True)
    elapsed = time.perf_counter() - start
    return p.stdout, elapsed


def zbar_match(out, expected):
    if not out:
        return None
    return out == expected + b"\n" or (b"\n" + expected + b"\n") in (b"\n" + out)


def run_zxing(path):
    start = time.perf_counter()
    image = Image.open(path)
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    elapsed = time.perf_counter() - start
    return [r.text.encode("utf-8") for r in results], elapsed


tools = ["otp"] + (["zbarimg"] if zbarimg else []) + (["zxing-cpp"] if zxingcpp and Image else [])
stats = {t: collections.defaultdict(lambda: [0, 0, 0]) for t in tools}  # folder -> [reads, misreads, total]
times = {t: [] for t in tools}
misses = []
for folder, name, path, converted, expected in samples:
    kind = "ascii" if all(b < 0x80 for b in expected) else "non-ascii"
    outcomes = {}
    payloads, t = run_otp(converted if args.convert else path)
    times["otp"].append(t)
    outcomes["otp"] = (expected in payloads) if payloads else None
    if zbarimg:
        out, t = run_zbarimg(converted)
        times["zbarimg"].append(t)
        outcomes["zbarimg"] = zbar_match(out, expected)
    if "zxing-cpp" in tools:
        texts, t = run_zxing(path)
        times["zxing-cpp"].append(t)
        outcomes["zxing-cpp"] = (expected in texts) if texts else None
    for tool, ok in outcomes.items():
        for key in ((kind, folder), (kind, "all"), ("every", "all")):
            s = stats[tool][key]
            s[2] += 1
            if ok:
                s[0] += 1
            elif ok is False:
                s[1] += 1
    if not outcomes["otp"]:
        misses.append((folder, name, "misread" if outcomes["otp"] is False else "not found",
                       {k: v for k, v in outcomes.items() if k != "otp"}))

what = "PNG only" if args.png_only else "otp given PNG copies" if args.convert else "original files"
print(f"corpus: {len(samples)} images with expected text ({what}; zbarimg gets WebP as PNG)")
for kind in ("ascii", "non-ascii", "every"):
    keys = sorted({k[1] for t in tools for k in stats[t] if k[0] == kind}, key=lambda f: (f == "all", f))
    if not keys:
        continue
    print(f"\n{kind} payloads" + "".join(f" | {t:>22}" for t in tools))
    for folder in keys:
        row = f"{folder:24}"
        for t in tools:
            r, m, n = stats[t][(kind, folder)]
            row += f" | {r:3}/{n:3} {100 * r / n:5.1f} % {m:2} mis"
        print(row)
print("\nmedian time per image: " + ", ".join(f"{t} {1000 * statistics.median(times[t]):.1f} ms" for t in tools if times[t]))
print("\nthe otp pass that found codes, per image: " + ", ".join(f"{k} {n}" for k, n in passes.most_common()))
if args.misses:
    print("\nimages otp does not read:")
    for folder, name, why, others in misses:
        print(f"  {folder}/{name}: {why}; " + ", ".join(f"{k} {'reads' if v else 'misreads' if v is False else 'no'}" for k, v in others.items()))
shutil.rmtree(tmp, ignore_errors=True)
