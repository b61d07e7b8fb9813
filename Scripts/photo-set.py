#!/usr/bin/env python3
"""A photo test set of our own making (issue 14), and the decode rates of otp, zbarimg and zxing-cpp on it.

    pip install segno numpy pillow zxing-cpp && python3 Scripts/photo-set.py [PATH/TO/otp] [--per-kind N] [--seed S]
        [--out DIR] [--misses]

Simulated phone photos of provisioning codes, N per kind (default 12), written as JPEG (quality 85, as phones save)
into DIR (default a temporary folder; the images are not committed):

    straight      a printed code photographed square on: paper texture, sensor noise
    rotated       the same turned 10-80 degrees
    perspective   tilted: a random homography, corners moved up to 22 % of the code's side
    blur          out of focus: Gaussian blur of 0.25-0.5 module
    curved        on curved paper: a cylindrical bend across the code (radius 0.45-0.8 of the frame's width)
    curved-strong the same bent harder (radius 0.28-0.4: a code on a bottle or a rolled page)
    monitor       a photo of a screen: RGB sub-pixel grid, moire from resampling, glare
    uneven-light  a strong light gradient and vignetting
    dark-mode     light modules on a dark background, on a screen
    dense         a Google transfer code with ten accounts (version 10-15), slightly tilted
    small-in-12mp a 4000 x 3000 frame with the code about 1/10 of its width, slightly tilted
    tilt-60       a camera held off square: the code's plane turned 35-60 degrees about one axis and up to 30 about
                  the other, seen through a pinhole (focal length 1.2-2 code sides), so far modules are foreshortened
    curved-tilted a code on a bottle (radius 0.3-0.45 of the frame's width) photographed from 15-30 degrees above
    dark-glare    dark mode on a screen at low contrast (light modules 120-170 on 25-45) with a glare spot and noise
    motion-blur   a hand that moved: a line blur of 0.5-1.1 module in a random direction

Every random choice comes from --seed (printed). A read is the exact expected text among what a tool returns; a
misread is text returned that is not it. zxing-cpp reads the JPEG through Pillow, otp and zbarimg the file.
"""
import argparse
import base64
import collections
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import segno
from PIL import Image, ImageFilter

KINDS = ["straight", "rotated", "perspective", "blur", "curved", "curved-strong", "monitor", "uneven-light",
         "dark-mode", "dense", "small-in-12mp", "tilt-60", "curved-tilted", "dark-glare", "motion-blur"]


def b32(rng, n=20):
    return base64.b32encode(bytes(rng.integers(0, 256, n, dtype=np.uint8))).decode().rstrip("=")


def totp_uri(rng, i):
    return f"otpauth://totp/Amazon%20Web%20Services:user{i}@{rng.integers(10**11, 10**12)}?secret={b32(rng, 40)}" \
           "&issuer=Amazon%20Web%20Services"


def migration_uri(rng):
    # Ten accounts' worth of bytes (the protobuf body is opaque to the scanners): about 450 bytes of Base64.
    data = base64.b64encode(bytes(rng.integers(0, 256, 330, dtype=np.uint8))).decode()
    from urllib.parse import quote
    return "otpauth-migration://offline?data=" + quote(data, safe="")


def matrix(text, border=4):
    return np.pad(np.array(segno.make(text, error="l" if len(text) > 300 else "m", micro=False).matrix, bool), border)


def render(m, module):
    return np.where(np.kron(m, np.ones((module, module), bool)), 20.0, 235.0)


def homography(src, dst):
    a = []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.array(a))
    return vt[-1].reshape(3, 3) / vt[-1][-1]


def warp(img, h_out_to_in, out_shape, fill):
    """Samples img at H(x, y) for every output pixel (bilinear)."""
    hh, ww = out_shape
    ys, xs = np.mgrid[0:hh, 0:ww].astype(np.float64)
    p = h_out_to_in @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    u = (p[0] / p[2]).reshape(hh, ww)
    v = (p[1] / p[2]).reshape(hh, ww)
    return sample(img, u, v, fill)


def sample(img, u, v, fill):
    h, w = img.shape
    x0 = np.floor(u).astype(int)
    y0 = np.floor(v).astype(int)
    fx = u - x0
    fy = v - y0
    out = np.zeros(u.shape)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            xi = x0 + dx
            yi = y0 + dy
            ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            val = np.full(u.shape, fill, np.float64)
            val[ok] = img[yi[ok], xi[ok]]
            out += wx * wy * val
    return out


def place(code, canvas_shape, rng, max_shift=0.0, angle=0.0, scale=1.0, fill=235.0):
    """Puts the code on a canvas through a homography: rotation, scale and corners moved by up to max_shift."""
    ch, cw = canvas_shape
    s = code.shape[0]
    side = s * scale
    cx, cy = cw / 2 + rng.uniform(-0.1, 0.1) * cw, ch / 2 + rng.uniform(-0.1, 0.1) * ch
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float) * side / 2
    r = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    dst = corners @ r.T + [cx, cy] + rng.uniform(-max_shift, max_shift, (4, 2)) * side
    src = np.array([[0, 0], [s, 0], [s, s], [0, s]], float)
    h = homography(dst, src)  # output → input
    return warp(code, h, canvas_shape, fill)


def camera(code, canvas_shape, rng, ax, ay, fill=235.0):
    """The code's plane turned by ax (about the horizontal axis) and ay (vertical), seen through a pinhole camera
    looking at its centre; the projection is scaled to fill about 70 % of the canvas."""
    ch, cw = canvas_shape
    s = code.shape[0]
    f = s * rng.uniform(1.2, 2.0)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    spin = rng.uniform(-0.4, 0.4)
    rz = np.array([[math.cos(spin), -math.sin(spin), 0], [math.sin(spin), math.cos(spin), 0], [0, 0, 1]])
    corners = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], float) * s / 2
    world = corners @ (ry @ rx @ rz).T + [0, 0, f * 1.6]
    projected = world[:, :2] * f / world[:, 2:3]
    span = projected.max(0) - projected.min(0)
    k = 0.7 * min(cw / span[0], ch / span[1])
    centre = (projected.max(0) + projected.min(0)) / 2
    dst = (projected - centre) * k + [cw / 2 + rng.uniform(-0.05, 0.05) * cw, ch / 2 + rng.uniform(-0.05, 0.05) * ch]
    src = np.array([[0, 0], [s, 0], [s, s], [0, s]], float)
    return warp(code, homography(dst, src), canvas_shape, fill)


def cylinder(flat, radius, fill=235.0):
    hh, ww = flat.shape
    ys, xs = np.mgrid[0:hh, 0:ww].astype(float)
    cx = ww / 2
    t = np.clip((xs - cx) / radius, -0.999, 0.999)
    u = cx + radius * np.arcsin(t)
    v = (ys - hh / 2) * (1 + 0.12 * (1 - np.cos(np.arcsin(t)))) + hh / 2
    return sample(flat, u, v, fill) * (0.75 + 0.25 * np.cos(np.arcsin(t)))


def finish(img, rng, noise=4.0):
    img = img + rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def make(kind, rng, i, no_code=False):
    text = migration_uri(rng) if kind == "dense" else totp_uri(rng, i)
    m = matrix(text)
    if no_code:
        # The same photo of a look-alike without a code: random modules where the code was, no finder patterns (a
        # hard negative: its data makes chance 1:1:3:1:1 runs, as a code's does), so what it costs is what otp pays
        # for a photo that holds none.
        inner = rng.uniform(size=(m.shape[0] - 8, m.shape[1] - 8)) < 0.5
        m = np.pad(inner, 4)
    if kind == "small-in-12mp":
        module = 3
        code = render(m, module)
        scale = 400 / code.shape[0]
        img = place(code, (3000, 4000), rng, max_shift=0.04, angle=rng.uniform(-0.2, 0.2), scale=scale, fill=200)
        return text, finish(img, rng, 3)
    module = 6
    code = render(m, module)
    side = code.shape[0]
    shape = (int(side * 1.6), int(side * 1.9))
    if kind == "straight":
        img = place(code, shape, rng, max_shift=0.01, angle=rng.uniform(-0.03, 0.03))
    elif kind == "rotated":
        img = place(code, shape, rng, angle=math.radians(rng.uniform(10, 80)) * rng.choice([-1, 1]), scale=0.8)
    elif kind == "perspective":
        img = place(code, shape, rng, max_shift=0.22, angle=rng.uniform(-0.3, 0.3), scale=0.85)
    elif kind == "blur":
        img = place(code, shape, rng, max_shift=0.02)
        img = np.array(Image.fromarray(img.astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(module * rng.uniform(0.25, 0.5))), float)
    elif kind in ("curved", "curved-strong"):
        flat = place(code, shape, rng, max_shift=0.03, scale=0.9)
        hh, ww = shape
        ys, xs = np.mgrid[0:hh, 0:ww].astype(float)
        radius = ww * (rng.uniform(0.45, 0.8) if kind == "curved" else rng.uniform(0.28, 0.4))
        cx = ww / 2
        # A cylinder seen from the front: screen x = R sin(t), paper x = R t; the far sides also drop a little.
        t = np.clip((xs - cx) / radius, -0.999, 0.999)
        u = cx + radius * np.arcsin(t)
        v = (ys - hh / 2) * (1 + 0.12 * (1 - np.cos(np.arcsin(t)))) + hh / 2
        img = sample(flat, u, v, 235.0)
        img *= 0.75 + 0.25 * np.cos(np.arcsin(t))
    elif kind == "monitor":
        img = place(code, shape, rng, max_shift=0.06, angle=rng.uniform(-0.15, 0.15), scale=0.9)
        hh, ww = shape
        ys, xs = np.mgrid[0:hh, 0:ww]
        pitch = rng.uniform(2.6, 3.4)
        grid = 0.72 + 0.28 * (np.sin(2 * math.pi * xs / pitch) > -0.3) * (np.sin(2 * math.pi * ys / pitch) > -0.6)
        glare = 60 * np.exp(-(((xs - rng.uniform(0, ww)) / (ww / 3)) ** 2 + ((ys - rng.uniform(0, hh)) / (hh / 3)) ** 2))
        img = img * grid + glare
    elif kind == "uneven-light":
        img = place(code, shape, rng, max_shift=0.04, angle=rng.uniform(-0.2, 0.2), scale=0.9)
        hh, ww = shape
        ys, xs = np.mgrid[0:hh, 0:ww] / max(hh, ww)
        a = rng.uniform(0, 2 * math.pi)
        gradient = 0.35 + 0.65 * (0.5 + 0.5 * np.cos(a) * (xs - 0.5) * 2 + 0.5 * np.sin(a) * (ys - 0.5) * 2)
        vignette = 1 - 0.5 * ((xs - 0.5) ** 2 + (ys - 0.5) ** 2) * 2
        img = img * np.clip(gradient, 0.2, 1) * vignette
    elif kind == "dark-mode":
        inv = 255 - code
        img = place(inv, shape, rng, max_shift=0.06, angle=rng.uniform(-0.2, 0.2), scale=0.9, fill=25.0)
    elif kind == "dense":
        img = place(code, shape, rng, max_shift=0.05, angle=rng.uniform(-0.2, 0.2), scale=0.9)
    elif kind == "tilt-60":
        strong = math.radians(rng.uniform(35, 60)) * rng.choice([-1, 1])
        weak = math.radians(rng.uniform(0, 30)) * rng.choice([-1, 1])
        ax, ay = (strong, weak) if rng.uniform() < 0.5 else (weak, strong)
        img = camera(code, shape, rng, ax, ay)
    elif kind == "curved-tilted":
        flat = place(code, shape, rng, max_shift=0.02, scale=0.85)
        bent = cylinder(flat, shape[1] * rng.uniform(0.3, 0.45))
        img = camera(bent, (shape[0], shape[1]), rng, math.radians(rng.uniform(15, 30)) * rng.choice([-1, 1]), 0.0)
    elif kind == "dark-glare":
        light, dark = rng.uniform(120, 170), rng.uniform(25, 45)
        inv = np.where(code < 128, light, dark)
        img = place(inv, shape, rng, max_shift=0.08, angle=rng.uniform(-0.3, 0.3), scale=0.9, fill=dark)
        hh, ww = shape
        ys, xs = np.mgrid[0:hh, 0:ww]
        gx, gy = rng.uniform(0.2, 0.8) * ww, rng.uniform(0.2, 0.8) * hh
        img = img + rng.uniform(60, 110) * np.exp(-(((xs - gx) / (ww / 5)) ** 2 + ((ys - gy) / (hh / 5)) ** 2))
        return text, finish(img, rng, 7)
    elif kind == "motion-blur":
        img = place(code, shape, rng, max_shift=0.04, angle=rng.uniform(-0.3, 0.3), scale=0.9)
        length = module * rng.uniform(0.5, 1.1)
        a = rng.uniform(0, math.pi)
        steps = max(2, int(length * 2))
        acc = np.zeros_like(img)
        for k in range(steps):
            d = (k / (steps - 1) - 0.5) * length
            hh, ww = img.shape
            ys, xs = np.mgrid[0:hh, 0:ww].astype(float)
            acc += sample(img, xs + d * math.cos(a), ys + d * math.sin(a), 235.0)
        img = acc / steps
    return text, finish(img, rng)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("otp", nargs="?", default=os.path.join(here, "..", ".build", "release", "otp"))
    ap.add_argument("--per-kind", type=int, default=12)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--out")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--no-code", action="store_true",
                    help="write the photos without their codes into --out and stop (Scripts/bench-photo-nocode.sh)")
    args = ap.parse_args()
    print(f"seed {args.seed}, {args.per_kind} per kind")
    out = args.out or tempfile.mkdtemp(prefix="otp-photo-set-")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    samples = []
    for kind in args.kinds.split(","):
        for i in range(args.per_kind):
            text, img = make(kind, rng, i, args.no_code)
            path = os.path.join(out, f"{kind}-{i:02}.jpg")
            Image.fromarray(img).save(path, "JPEG", quality=85)
            samples.append((kind, path, text.encode()))
    if args.no_code:
        print(f"{len(samples)} photos without a code in {out}")
        return
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    zbarimg = shutil.which("zbarimg")
    tools = ["otp"] + (["zbarimg"] if zbarimg else []) + (["zxing-cpp"] if zxingcpp else [])
    stats = {t: collections.defaultdict(lambda: [0, 0, 0]) for t in tools}
    passes = collections.defaultdict(collections.Counter)
    misses = []
    for kind, path, expected in samples:
        results = {}
        p = subprocess.run([args.otp, "scan", "--json", "--verbose", path], capture_output=True)
        try:
            got = [t.encode() for t in json.loads(p.stdout)[0]["payloads"]]
        except Exception:
            got = []
        results["otp"] = got
        if expected in got:
            # The step that found it: "...; rectified from finder patterns: 6.7 ms, 1 found".
            steps = [s for s in p.stderr.decode(errors="replace").split(": ", 1)[-1].split("; ") if "found" in s]
            passes[kind][steps[0].rsplit(":", 1)[0] if steps else "?"] += 1
        if zbarimg:
            p = subprocess.run([zbarimg, "--nodbus", "-q", "--raw", "-Sbinary", path], capture_output=True)
            results["zbarimg"] = [p.stdout.rstrip(b"\n")] if p.stdout else []
        if zxingcpp:
            results["zxing-cpp"] = [r.text.encode() for r in zxingcpp.read_barcodes(
                Image.open(path), formats=zxingcpp.BarcodeFormat.QRCode)]
        for tool, got in results.items():
            for key in (kind, "all"):
                s = stats[tool][key]
                s[2] += 1
                if expected in got:
                    s[0] += 1
                elif got:
                    s[1] += 1
        if expected not in results["otp"]:
            misses.append((os.path.basename(path), {t: expected in g for t, g in results.items() if t != "otp"}))
    print(f"{'kind':14}" + "".join(f" | {t:>19}" for t in tools))
    for key in args.kinds.split(",") + ["all"]:
        row = f"{key:14}"
        for t in tools:
            r, m, n = stats[t][key]
            row += f" | {r:3}/{n:3} {100 * r / max(n, 1):5.1f} % {m} mis"
        print(row)
    print("\nthe otp pass that read each image:")
    for key in args.kinds.split(","):
        print(f"{key:14} " + ", ".join(f"{name} {n}" for name, n in passes[key].most_common()))
    if args.misses:
        for name, others in misses:
            print(f"  otp misses {name}: " + ", ".join(f"{k} {'reads' if v else 'no'}" for k, v in others.items()))
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
