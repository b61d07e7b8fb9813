#!/usr/bin/env python3
"""Makes the PNG fixtures under Tests/Fixtures/png and their manifest.json.

    pip install segno numpy pillow && python3 Scripts/make-fixtures.py

QR matrices come from segno; the PNG files are written by the small writer below (zlib + struct), which can
produce every colour type, bit depth and Adam7 interlacing (Pillow cannot write interlaced or 16-bit RGB PNGs).
Pillow is used only for the JPEG round trip of one fixture. Every secret here is a test secret.
Output is deterministic (fixed seeds), so re-running the script changes nothing.
"""
import io
import json
import os
import struct
import zlib

import numpy as np
import segno

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "png")
rng = np.random.default_rng(20261129)
manifest = {}


# ---------------------------------------------------------------------------------------------------- PNG writer
def chunk(kind, data):
    c = kind + data
    return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)


def pack_rows(a, bit_depth):
    """a: (h, w, channels) array of samples; returns the filtered-less raw rows (filter byte 0 added later)."""
    h = a.shape[0]
    if bit_depth == 16:
        return [a[y].astype(">u2").tobytes() for y in range(h)]
    if bit_depth == 8:
        return [a[y].astype(np.uint8).tobytes() for y in range(h)]
    per_byte = 8 // bit_depth
    rows = []
    for y in range(h):
        s = a[y].reshape(-1).astype(np.uint8)
        pad = (-len(s)) % per_byte
        s = np.concatenate([s, np.zeros(pad, np.uint8)]).reshape(-1, per_byte)
        b = np.zeros(len(s), np.uint16)
        for i in range(per_byte):
            b = (b << bit_depth) | s[:, i]
        rows.append(b.astype(np.uint8).tobytes())
    return rows


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(name, a, color_type, bit_depth=8, palette=None, trns=None, interlace=False, extra_chunks=()):
    """Writes a PNG. a: (h, w) or (h, w, c) samples (palette indices for colour type 3)."""
    if a.ndim == 2:
        a = a[:, :, None]
    h, w = a.shape[:2]
    raw = b""
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            sub = a[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += b"".join(b"\0" + r for r in pack_rows(sub, bit_depth))
    else:
        raw = b"".join(b"\0" + r for r in pack_rows(a, bit_depth))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, int(interlace)))
    for c in extra_chunks:
        data += c
    if palette is not None:
        data += chunk(b"PLTE", bytes(np.array(palette, np.uint8).reshape(-1)))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    save(name, data)
    return data


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------------- drawing
def qr_matrix(text):
    q = segno.make(text, error="m", micro=False, encoding="utf-8" if not text.isascii() else None)
    return np.array(q.matrix, dtype=bool)


def qr_modules(text, module, quiet=4):
    """Boolean image (True = dark module) with a quiet zone, `module` pixels per module."""
    m = np.pad(qr_matrix(text), quiet)
    return np.kron(m, np.ones((module, module), dtype=bool))


def screenshot(w, h, page=(255, 255, 255), ink=(35, 47, 62), bar=(35, 47, 62), lines=(210, 214, 218)):
    """An AWS-console-like page: a header bar, a sidebar and lines standing for text."""
    img = np.empty((h, w, 3), np.uint8)
    img[:] = page
    img[: h // 20] = bar
    img[h // 20 :, : w // 8] = np.array(page) * 0.9 + np.array(ink) * 0.1
    y = h // 8
    while y < h - h // 10:
        length = int(rng.integers(w // 6, w // 2))
        img[y : y + max(2, h // 120), w // 5 : w // 5 + length] = lines
        y += h // 25
    return img


def place(img, mask, x, y, dark, light=None):
    h, w = mask.shape
    region = img[y : y + h, x : x + w]
    if light is not None:
        region[:] = light
    region[mask] = dark


def gray(rgb):
    return (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).round().astype(np.uint8)


def aws_uri(user, account, secret):
    return (f"otpauth://totp/Amazon%20Web%20Services:{user}@{account}?secret={secret}"
            f"&issuer=Amazon%20Web%20Services")


def expect(name, payloads=None, error=None, note=""):
    manifest[name] = {"payloads": payloads or [], "error": error, "note": note}


# Test secrets (random, made for these fixtures only).
S = ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
     "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQKRSXG5CTMVRXEZLU",
     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3DOOBZ",
     "ORSXG5DTMVRXEZLUORSXG5DTMVRXEZLU"]


def main():
    os.makedirs(OUT, exist_ok=True)

    # 1080p console screenshot, light mode, 5 px per module.
    u = aws_uri("alice", "123456789012", S[0])
    img = screenshot(1920, 1080)
    place(img, qr_modules(u, 5), 860, 380, (0, 0, 0), (255, 255, 255))
    write_png("console-1080p.png", img, 2)
    expect("console-1080p.png", [u], note="1920x1080 RGB, AWS-console-like page, 5 px/module")

    # The same in dark mode: light modules on a dark page.
    u = aws_uri("bob", "123456789012", S[1])
    img = screenshot(1920, 1080, page=(15, 27, 42), ink=(230, 230, 230), bar=(0, 0, 0), lines=(60, 70, 80))
    place(img, qr_modules(u, 5), 860, 380, (235, 235, 235), (15, 27, 42))
    write_png("console-1080p-dark.png", img, 2)
    expect("console-1080p-dark.png", [u], note="dark mode: light modules on a dark background")

    # 4K RGBA (a retina screenshot: alpha channel, fully opaque), 9 px per module.
    u = aws_uri("carol", "210987654321", S[2])
    img = screenshot(3840, 2160)
    place(img, qr_modules(u, 9), 1700, 700, (0, 0, 0), (255, 255, 255))
    rgba = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    write_png("console-4k-rgba.png", rgba, 6)
    expect("console-4k-rgba.png", [u], note="3840x2160 RGBA")

    # Black modules on a fully transparent background.
    u = "otpauth://totp/Example:transparent@example.com?secret=" + S[3] + "&issuer=Example"
    mask = qr_modules(u, 6)
    a = np.zeros(mask.shape + (4,), np.uint8)
    a[mask] = (0, 0, 0, 255)
    write_png("transparent-black-modules.png", a, 6)
    expect("transparent-black-modules.png", [u], note="RGBA, black modules, alpha 0 elsewhere")

    # Light modules on a transparent background (vanishes on white; read when composited onto black).
    u = "otpauth://totp/Example:light@example.com?secret=" + S[4] + "&issuer=Example"
    mask = qr_modules(u, 6)
    a = np.zeros(mask.shape + (4,), np.uint8)
    a[mask] = (255, 255, 255, 255)
    write_png("transparent-light-modules.png", a, 6)
    expect("transparent-light-modules.png", [u], note="RGBA, white modules, alpha 0 elsewhere")

    # 8-colour palette (4-bit indices), a screenshot saved by a tool that quantised it.
    u = "otpauth://totp/GitHub:palette-user?secret=" + S[0][:32] + "&issuer=GitHub"
    pal = [(255, 255, 255), (0, 0, 0), (36, 41, 47), (246, 248, 250), (9, 105, 218), (208, 215, 222),
           (31, 136, 61), (207, 34, 46)]
    idx = np.zeros((700, 900), np.uint8)
    idx[:60] = 2
    idx[60:, :150] = 3
    idx[100:110, 200:700] = 5
    idx[130:140, 200:500] = 4
    idx[600:640, 200:320] = 6
    mask = qr_modules(u, 5)
    idx[180:180 + mask.shape[0], 300:300 + mask.shape[1]] = np.where(mask, 1, 0)
    write_png("palette-8.png", idx, 3, bit_depth=4, palette=pal)
    expect("palette-8.png", [u], note="colour type 3, 4-bit indices, 8 colours")

    # Palette with tRNS: background index transparent.
    u = "otpauth://totp/Palette:trns?secret=" + S[2] + "&issuer=Palette"
    mask = qr_modules(u, 4)
    write_png("palette-trns.png", np.where(mask, 1, 0).astype(np.uint8), 3, bit_depth=1,
              palette=[(255, 255, 255), (0, 0, 0)], trns=b"\x00")
    expect("palette-trns.png", [u], note="1-bit palette, index 0 transparent via tRNS")

    # 16-bit gray.
    u = "otpauth://totp/Sixteen:gray@example.com?secret=" + S[1] + "&issuer=Sixteen"
    mask = qr_modules(u, 5)
    write_png("gray16.png", np.where(mask, 2000, 64000).astype(np.uint16), 0, bit_depth=16)
    expect("gray16.png", [u], note="colour type 0, 16-bit")

    # 16-bit RGB.
    u = "otpauth://totp/Sixteen:rgb@example.com?secret=" + S[3] + "&issuer=Sixteen"
    mask = qr_modules(u, 5)
    a = np.empty(mask.shape + (3,), np.uint16)
    a[:] = (65535, 64000, 62000)
    a[mask] = (1000, 3000, 9000)
    write_png("rgb16.png", a, 2, bit_depth=16)
    expect("rgb16.png", [u], note="colour type 2, 16-bit")

    # 1-bit gray (what qrencode and many generators write).
    u = "otpauth://hotp/Counter:one-bit?secret=" + S[2] + "&issuer=Counter&counter=7"
    mask = qr_modules(u, 3)
    write_png("gray1.png", np.where(mask, 0, 1).astype(np.uint8), 0, bit_depth=1)
    expect("gray1.png", [u], note="colour type 0, 1-bit")

    # Gray + alpha, half-transparent page.
    u = "otpauth://totp/GA:gray-alpha@example.com?secret=" + S[4] + "&issuer=GA"
    mask = qr_modules(u, 5)
    a = np.empty(mask.shape + (2,), np.uint8)
    a[:] = (255, 128)
    a[mask] = (0, 255)
    write_png("gray-alpha.png", a, 4)
    expect("gray-alpha.png", [u], note="colour type 4, 8-bit")

    # Adam7 interlaced RGB screenshot.
    u = aws_uri("dave", "123456789012", S[3])
    img = screenshot(1280, 800)
    place(img, qr_modules(u, 4), 500, 250, (0, 0, 0), (255, 255, 255))
    write_png("interlaced.png", img, 2, interlace=True)
    expect("interlaced.png", [u], note="Adam7 interlaced, RGB 8-bit")

    # 2 px per module.
    u = "otpauth://totp/Tiny:two-px@example.com?secret=" + S[0][:32] + "&issuer=Tiny"
    img = screenshot(800, 600)
    place(img, qr_modules(u, 2), 300, 200, (0, 0, 0), (255, 255, 255))
    write_png("two-px-module.png", gray(img), 0)
    expect("two-px-module.png", [u], note="2 pixels per module")

    # 1 px per module.
    u = "otpauth://totp/Tiny:one-px?secret=" + S[2] + "&issuer=Tiny"
    img = screenshot(400, 300)
    place(img, qr_modules(u, 1), 150, 100, (0, 0, 0), (255, 255, 255))
    write_png("one-px-module.png", gray(img), 0)
    expect("one-px-module.png", [u], note="1 pixel per module (a thumbnail)")

    # Two different codes in one screenshot, side by side (reading order: left, then right).
    u1 = aws_uri("erin", "111111111111", S[1])
    u2 = "otpauth://totp/GitLab:erin@example.com?secret=" + S[2] + "&issuer=GitLab"
    img = screenshot(1600, 900)
    place(img, qr_modules(u2, 4), 900, 320, (0, 0, 0), (255, 255, 255))
    place(img, qr_modules(u1, 4), 250, 300, (0, 0, 0), (255, 255, 255))
    write_png("two-codes.png", img, 2)
    expect("two-codes.png", [u1, u2], note="two codes; expected in reading order")

    # Whole screenshot rotated 90 degrees (a phone screenshot saved sideways).
    u = aws_uri("frank", "123456789012", S[4])
    img = screenshot(1280, 720)
    place(img, qr_modules(u, 4), 500, 200, (0, 0, 0), (255, 255, 255))
    write_png("rotated-90.png", np.ascontiguousarray(np.rot90(img)), 2)
    expect("rotated-90.png", [u], note="the whole screenshot rotated 90 degrees")

    # Grey modules on light grey.
    u = "otpauth://totp/Muted:grey@example.com?secret=" + S[3] + "&issuer=Muted"
    img = np.full((700, 900, 3), 200, np.uint8)
    place(img, qr_modules(u, 5), 200, 100, (160, 160, 160), (200, 200, 200))
    write_png("grey-on-grey.png", img, 2)
    expect("grey-on-grey.png", [u], note="modules #a0a0a0 on #c8c8c8")

    # Raw UTF-8 in the payload (not percent-encoded).
    u = "otpauth://totp/Société Générale:josé?secret=" + S[1] + "&issuer=Société Générale"
    img = screenshot(1000, 700)
    place(img, qr_modules(u, 4), 300, 150, (0, 0, 0), (255, 255, 255))
    write_png("utf8-payload.png", img, 2)
    expect("utf8-payload.png", [u], note="raw UTF-8 bytes in byte mode")

    # Screenshot scaled by a non-integer factor with smoothing (HiDPI → 1x): blurred module edges.
    u = aws_uri("grace", "123456789012", S[0])
    from PIL import Image
    base = screenshot(1200, 800)
    place(base, qr_modules(u, 5), 420, 180, (0, 0, 0), (255, 255, 255))
    small = np.array(Image.fromarray(base).resize((1200 * 2 // 3, 800 * 2 // 3), Image.BILINEAR))
    write_png("scaled-blurred.png", small, 2)
    expect("scaled-blurred.png", [u], note="scaled to 2/3 with bilinear smoothing: 3.33 px/module, soft edges")

    # JPEG-damaged screenshot (a JPEG that was later saved as PNG).
    u = aws_uri("heidi", "123456789012", S[2])
    base = screenshot(1000, 700)
    place(base, qr_modules(u, 4), 350, 150, (0, 0, 0), (255, 255, 255))
    buf = io.BytesIO()
    Image.fromarray(base).save(buf, "JPEG", quality=20)
    damaged = np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    write_png("jpeg-damaged.png", damaged, 2)
    expect("jpeg-damaged.png", [u], note="JPEG quality 20 round trip, then PNG")

    # Cropped tight: no quiet zone at all, the page colour right against the code.
    u = "otpauth://totp/Cropped:tight@example.com?secret=" + S[4] + "&issuer=Cropped"
    mask = qr_modules(u, 5, quiet=0)
    write_png("cropped-tight.png", np.where(mask, 0, 255).astype(np.uint8), 0)
    expect("cropped-tight.png", [u], note="cropped to the code's edge, no quiet zone")

    # Dark mode with low contrast (grey modules on a dark grey card).
    u = "otpauth://totp/Dim:dark-grey@example.com?secret=" + S[1] + "&issuer=Dim"
    img = np.full((600, 800, 3), 40, np.uint8)
    place(img, qr_modules(u, 4), 200, 80, (100, 100, 100), (40, 40, 40))
    write_png("dark-low-contrast.png", img, 2)
    expect("dark-low-contrast.png", [u], note="modules #646464 on #282828")

    # Salt-and-pepper noise over the code (a dusty scan): read by the smoothed pass.
    u = "otpauth://totp/Noise:speckled@example.com?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=Noise"
    mask = qr_modules(u, 4)
    img = np.where(mask, 30, 225).astype(np.int16)
    flip = np.random.default_rng(1).random(img.shape) < 0.12
    img[flip] = 255 - img[flip]
    write_png("speckled.png", img.astype(np.uint8), 0)
    expect("speckled.png", [u], note="12 % salt-and-pepper noise; plain zbar reads nothing, the smoothed pass does")

    # A photo of a monitor: a pixel grid (screen-door effect) cuts every module; reducing ÷3 averages it away.
    u = "otpauth://totp/Screen:photo-of-a-monitor@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Screen"
    mask = qr_modules(u, 9)
    yy, xx = np.mgrid[0:mask.shape[0], 0:mask.shape[1]]
    grid = ((yy % 4) < 1) | ((xx % 4) < 1)
    write_png("screen-door.png", np.where(mask & ~grid, 20, 235).astype(np.uint8), 0)
    expect("screen-door.png", [u], note="modules cut by a 4-px pixel grid; read by the reduced ÷3 pass")

    # A thumbnail of a photo: 2 px per module, tilted 10°, soft, low contrast, JPEG-damaged; plain zbar cannot read
    # it, the ×3 nearest upscale can, and so can the bilinear ×2 pass alone.
    from PIL import Image, ImageFilter
    u = "otpauth://totp/Photo:soft@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Photo"
    thumb = Image.fromarray(np.where(qr_modules(u, 2, quiet=1), 60, 200).astype(np.uint8))
    thumb = thumb.rotate(10, expand=True, fillcolor=200, resample=Image.BICUBIC).filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    thumb.save(buf, "JPEG", quality=30)
    write_png("thumbnail-photo.png", np.array(Image.open(io.BytesIO(buf.getvalue())).convert("L")), 0)
    expect("thumbnail-photo.png", [u], note="100x100 soft, tilted, low-contrast JPEG thumbnail; read by the upscaled ×3 pass (and scaled 200 % alone)")

    # A code photographed at 45°: 3 px per module, soft, speckled, JPEG-damaged; read once rotated back by 45°.
    u = "otpauth://totp/Photo:hard@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Photo"
    a = np.where(np.kron(np.pad(qr_matrix(u), 4), np.ones((3, 3), dtype=bool)), 25, 225).astype(np.int16)
    flip = np.random.default_rng(2).random(a.shape) < 0.06
    a[flip] = 250 - a[flip]
    diagonal = Image.fromarray(a.astype(np.uint8)).rotate(45, expand=True, fillcolor=225, resample=Image.BICUBIC)
    buf = io.BytesIO()
    diagonal.filter(ImageFilter.GaussianBlur(0.8)).save(buf, "JPEG", quality=35)
    write_png("diagonal-photo.png", np.array(Image.open(io.BytesIO(buf.getvalue())).convert("L")), 0)
    expect("diagonal-photo.png", [u], note="a soft, speckled JPEG of a code at 45°; read by the rotated 45° pass")

    # A tiny code with round, speckled modules and a thin quiet zone, slightly soft: read once given a wide quiet zone
    # and enlarged ×4.
    u = "otpauth://totp/Photo:hard@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Photo"
    m = np.pad(qr_matrix(u), 2)
    k = 2
    yy, xx = np.mgrid[0:k, 0:k]
    cell = ((yy - (k - 1) / 2) ** 2 + (xx - (k - 1) / 2) ** 2) <= (0.8 * k / 2) ** 2
    a = np.full((m.shape[0] * k, m.shape[1] * k), 225, np.int16)
    for (y, x), v in np.ndenumerate(m):
        if v:
            a[y * k:(y + 1) * k, x * k:(x + 1) * k][cell] = 25
    flip = np.random.default_rng(4).random(a.shape) < 0.03
    a[flip] = 250 - a[flip]
    dotted = Image.fromarray(a.astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))
    write_png("tiny-dotted.png", np.array(dotted), 0)
    expect("tiny-dotted.png", [u], note="2 px round speckled modules, 2-module quiet zone; read by the padded ×4 pass")

    # Out of focus: a strong blur (sigma 3.5 px on 8-px modules) over a mid-contrast code; only the locally
    # binarised pass reads it.
    u = "otpauth://totp/Blur:out-of-focus@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Blur"
    blurred = Image.fromarray(np.where(qr_modules(u, 8), 60, 200).astype(np.uint8)).filter(ImageFilter.GaussianBlur(3.5))
    write_png("out-of-focus.png", np.array(blurred), 0)
    expect("out-of-focus.png", [u], note="8-px modules blurred with sigma 3.5, grey 60 on 200; read by the binarised pass")

    # 1-pixel modules cropped to the code's edge (a thumbnail): read by the ×3 nearest upscale.
    u = "HELLO TINY"
    write_png("tiny-cropped.png", np.where(qr_matrix(u), 0, 255).astype(np.uint8), 0)
    expect("tiny-cropped.png", [u], note="1 px per module and no quiet zone")

    # Shift_JIS text in byte mode (what Japanese generators write): decoded as zxing does, not as ISO-8859-1.
    text = "[QRコード]\r\nダブルQR\r\nC:\\path~1"
    q = segno.make(text.encode("cp932"), error="m", micro=False)
    m = np.kron(np.pad(np.array(q.matrix, dtype=bool), 4), np.ones((4, 4), dtype=bool))
    write_png("shift-jis.png", np.where(m, 0, 255).astype(np.uint8), 0)
    expect("shift-jis.png", [text], note="byte mode, Shift_JIS (CP932) bytes; backslash and tilde kept")

    # A code that is not a provisioning URI: scan still prints it.
    u = "https://example.com/setup?step=2"
    mask = qr_modules(u, 4)
    write_png("not-provisioning.png", np.where(mask, 0, 255).astype(np.uint8), 0)
    expect("not-provisioning.png", [u], note="a URL, not otpauth")

    # A screenshot without a code.
    write_png("no-code.png", screenshot(1280, 720), 2)
    expect("no-code.png", error="no-code", note="console page without a code")
    img = screenshot(3840, 2160)
    write_png("no-code-4k.png", np.dstack([img, np.full(img.shape[:2], 255, np.uint8)]), 6)
    expect("no-code-4k.png", error="no-code", note="3840x2160 RGBA console page without a code (benchmarks: the no-code path)")

    # ---- files that must be refused
    good = write_png("_tmp.png", np.where(qr_modules("x", 4), 0, 255).astype(np.uint8), 0)
    os.remove(os.path.join(OUT, "_tmp.png"))
    save("bad-random.png", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    expect("bad-random.png", error="not-png", note="random bytes")
    save("bad-truncated.png", good[: len(good) // 2])
    expect("bad-truncated.png", error="corrupt-png", note="first half of a valid PNG")
    flipped = bytearray(good)
    idat = flipped.index(b"IDAT") + 4
    flipped[idat + 10] ^= 0x01
    save("bad-flipped-idat.png", bytes(flipped))
    expect("bad-flipped-idat.png", error="corrupt-png", note="one IDAT data byte flipped: CRC mismatch")
    crc = bytearray(good)
    iend = crc.index(b"IEND")
    crc[iend - 8] ^= 0x80  # the last byte before IEND's length is IDAT's CRC
    save("bad-idat-crc.png", bytes(crc))
    expect("bad-idat-crc.png", error="corrupt-png", note="IDAT's CRC flipped, data intact")
    # An empty file is made by the tests themselves (a committed empty file would be byte-identical to every
    # other empty file, including one in the shared corpus).
    # A 1x1 GIF89a.
    save("bad-gif.png", bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"))
    expect("bad-gif.png", error="not-png", note="a GIF named .png")
    save("bad-text.png", b"otpauth://totp/Not:an-image?secret=JBSWY3DPEHPK3PXP\n")
    expect("bad-text.png", error="not-png", note="a text file named .png")
    huge = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 200000, 200000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
    save("bad-huge-header.png", huge)
    expect("bad-huge-header.png", error="too-large", note="IHDR declares 200000x200000 RGB (120 GB)")

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
