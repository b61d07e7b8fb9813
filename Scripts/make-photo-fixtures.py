#!/usr/bin/env python3
"""Makes Tests/Fixtures/photo/ (JPEG, WebP and HEIC inputs) and the hostile camera files in Tests/Fixtures/hostile/.

    pip install segno numpy pillow && apt-get install webp libheif-examples && python3 Scripts/make-photo-fixtures.py

QR matrices come from segno, pixels from numpy, JPEG and WebP from Pillow (libjpeg-turbo, libwebp), the animated WebP
from img2webp and HEIC from heif-enc (libheif with x265). The hostile files are valid files whose headers are then
patched (declared sizes), cut short, or given a thousand progressive scans. Every secret is a test secret.
JPEG and WebP output is deterministic; heif-enc's is not byte-stable across x265 versions (the tests check payloads,
not bytes).
"""
import io
import os
import struct
import subprocess
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "Fixtures", "photo")
HOSTILE = os.path.join(HERE, "..", "Tests", "Fixtures", "hostile")
FUZZ = os.path.join(HERE, "..", "Fuzz", "Corpus")
rng = np.random.default_rng(20261129)

URI_A = "otpauth://totp/Photo:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Photo"
URI_B = "otpauth://totp/Photo:bob@example.com?secret=KRSXG5CTMVRXEZLUKN2XAZLS&issuer=Photo"


def code(text, scale, border=4):
    import segno  # here, so Scripts/hostile-budget.py can import progressive_scans without it

    m = np.array(segno.make(text, error="m", micro=False).matrix, dtype=bool)
    m = np.pad(m, border)
    return np.where(np.kron(m, np.ones((scale, scale), dtype=bool)), 0, 255).astype(np.uint8)


def canvas(h, w, value=235):
    return np.full((h, w), value, np.uint8)


def paste(dst, src, y, x):
    dst[y : y + src.shape[0], x : x + src.shape[1]] = src


def exif_orientation(value):
    # A minimal little-endian TIFF with IFD0 holding Orientation (0x0112, SHORT, 1 value).
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHII", 0x0112, 3, 1, value) + struct.pack("<I", 0)
    return b"Exif\x00\x00" + tiff


def jpeg(a, **options):
    buffer = io.BytesIO()
    Image.fromarray(a).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def progressive_scans(jpeg_bytes):
    """(start, end) of each scan of a JPEG: an SOS marker, its header, and the entropy data up to the next marker
    (stuffed 0xFF00 bytes and restart markers are part of the data)."""
    scans, i = [], 2
    while i < len(jpeg_bytes) - 1:
        if jpeg_bytes[i] == 0xFF and jpeg_bytes[i + 1] == 0xDA:
            j = i + 2 + struct.unpack(">H", jpeg_bytes[i + 2 : i + 4])[0]
            while not (jpeg_bytes[j] == 0xFF and jpeg_bytes[j + 1] != 0 and not 0xD0 <= jpeg_bytes[j + 1] <= 0xD7):
                j += 1
            scans.append((i, j))
            i = j
        else:
            i += 1
    return scans


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def two_codes():
    # Upright: code A on the left, code B on the right.
    a = canvas(300, 560)
    paste(a, code(URI_A, 3), 20, 10)
    paste(a, code(URI_B, 3), 20, 290)
    return a


def main():
    os.makedirs(OUT, exist_ok=True)
    upright = two_codes()
    # Stored turned 90° anticlockwise; EXIF 6 ("turn 90° clockwise to show") makes it upright again.
    stored = np.rot90(upright, 1)
    write(OUT, "two-codes-exif6.jpg", jpeg(stored, quality=90, exif=exif_orientation(6)))
    write(OUT, "two-codes.webp", (lambda b: (Image.fromarray(upright).save(b, "WEBP", quality=85), b.getvalue())[1])(io.BytesIO()))
    write(OUT, "two-codes-lossless.webp", (lambda b: (Image.fromarray(upright).save(b, "WEBP", lossless=True), b.getvalue())[1])(io.BytesIO()))
    rgb = np.stack([upright, upright // 2 + 100, upright], axis=-1).astype(np.uint8)
    write(OUT, "two-codes-progressive.jpg", (lambda b: (Image.fromarray(rgb).save(b, "JPEG", quality=85, progressive=True), b.getvalue())[1])(io.BytesIO()))
    buffer = io.BytesIO()
    Image.fromarray(upright).convert("CMYK").save(buffer, "JPEG", quality=90)
    write(OUT, "two-codes-cmyk.jpg", buffer.getvalue())
    # A large photo-sized frame (4.1 MP) with one big code: the DCT-reduced first look reads it.
    big = canvas(1700, 2400, 200)
    big += rng.integers(0, 4, big.shape, dtype=np.uint8)
    paste(big, code(URI_A, 14), 300, 700)
    write(OUT, "large-frame.jpg", jpeg(big, quality=60))
    # HEIC (an iPhone's format), through heif-enc.
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "in.png")
        Image.fromarray(np.stack([upright] * 3, axis=-1)).save(png)
        heic = os.path.join(tmp, "out.heic")
        subprocess.run(["heif-enc", "-q", "80", "-o", heic, png], check=True, capture_output=True)
        write(OUT, "two-codes.heic", open(heic, "rb").read())
        frames = []
        for i, img in enumerate([upright, 255 - upright]):
            path = os.path.join(tmp, f"f{i}.png")
            Image.fromarray(img).save(path)
            frames.append(path)
        animated = os.path.join(tmp, "animated.webp")
        subprocess.run(["img2webp", "-loop", "0", "-lossy", frames[0], frames[1], "-o", animated], check=True,
                       capture_output=True)
        animated_bytes = open(animated, "rb").read()
        heic_bytes = open(heic, "rb").read()

    # ---------------------------------------------------------------------------------------------- hostile
    small = jpeg(canvas(64, 64), quality=50)
    sof = small.index(b"\xff\xc0")
    huge = bytearray(small)
    huge[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    write(HOSTILE, "jpeg-declares-65000x65000.jpg", bytes(huge))
    # 10 000 × 10 000 declared (exactly the 100 MP limit) with the data of a 64 × 64 image: a decoding bomb.
    bomb = bytearray(small)
    bomb[sof + 5 : sof + 9] = struct.pack(">HH", 10000, 10000)
    write(HOSTILE, "jpeg-bomb-100mp.jpg", bytes(bomb))
    write(HOSTILE, "jpeg-truncated.jpg", jpeg(upright, quality=90)[:3000])
    write(HOSTILE, "jpeg-header-only.jpg", small[:sof + 4])
    # A progressive file whose first AC scan is repeated 1 000 times: each repeat is a pass over the image.
    prog = jpeg(canvas(64, 64), quality=50, progressive=True)
    scans = progressive_scans(prog)
    start, end = scans[1]
    write(HOSTILE, "jpeg-1000-scans.jpg", prog[:end] + prog[start:end] * 1000 + prog[end:])
    # 16 MP with 100 scans: under the fixed cap of 500, over the pixel-scan budget (75 scans at this size).
    big = jpeg(canvas(4000, 4000, 200), quality=30, progressive=True)
    scans = progressive_scans(big)
    start, end = scans[-1]
    write(HOSTILE, "jpeg-100-scans-16mp.jpg", big[:end] + big[start:end] * (100 - len(scans)) + big[end:])
    webp = (lambda b: (Image.fromarray(canvas(64, 64)).save(b, "WEBP", quality=50), b.getvalue())[1])(io.BytesIO())
    vp8 = webp.index(b"VP8 ")
    huge_webp = bytearray(webp)
    # VP8 frame header: 3-byte tag, start code 9d 01 2a, then 14-bit width and height.
    huge_webp[vp8 + 14 : vp8 + 18] = struct.pack("<HH", 16383, 16383)
    write(HOSTILE, "webp-declares-16383x16383.webp", bytes(huge_webp))
    write(HOSTILE, "webp-truncated.webp", webp[: len(webp) // 2])
    write(HOSTILE, "webp-animated.webp", animated_bytes)
    write(HOSTILE, "heic-truncated.heic", heic_bytes[: len(heic_bytes) // 2])
    ispe = heic_bytes.index(b"ispe")
    huge_heic = bytearray(heic_bytes)
    huge_heic[ispe + 8 : ispe + 16] = struct.pack(">II", 60000, 60000)
    write(HOSTILE, "heic-declares-60000x60000.heic", bytes(huge_heic))

    # ------------------------------------------------------------------------------------ fuzz seeds (small)
    seed = canvas(64, 64)
    paste(seed, code("otpauth://totp/a?secret=JBSWY3DP", 2, border=1)[:60, :60], 2, 2)
    seeds = {
        "FuzzJPEG": {
            "baseline.jpg": jpeg(seed, quality=75),
            "progressive.jpg": jpeg(np.stack([seed] * 3, -1), quality=75, progressive=True),
            "exif6.jpg": jpeg(seed, quality=60, exif=exif_orientation(6)),
            "cmyk.jpg": (lambda b: (Image.fromarray(seed).convert("CMYK").save(b, "JPEG"), b.getvalue())[1])(io.BytesIO()),
            "subsampled.jpg": jpeg(np.stack([seed, seed, 255 - seed], -1), quality=50, subsampling=2),
        },
        "FuzzWebP": {
            "lossy.webp": (lambda b: (Image.fromarray(seed).save(b, "WEBP", quality=60), b.getvalue())[1])(io.BytesIO()),
            "lossless.webp": (lambda b: (Image.fromarray(seed).save(b, "WEBP", lossless=True), b.getvalue())[1])(io.BytesIO()),
            "alpha.webp": (lambda b: (Image.fromarray(np.stack([seed] * 4, -1)).save(b, "WEBP", quality=60), b.getvalue())[1])(io.BytesIO()),
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "seed.png")
        Image.fromarray(np.stack([seed] * 3, -1)).save(png)
        out = os.path.join(tmp, "seed.heic")
        subprocess.run(["heif-enc", "-q", "50", "-o", out, png], check=True, capture_output=True)
        seeds["FuzzHEIF"] = {"small.heic": open(out, "rb").read()}
    for target, files in seeds.items():
        os.makedirs(os.path.join(FUZZ, target), exist_ok=True)
        for name, data in files.items():
            write(os.path.join(FUZZ, target), name, data)


if __name__ == "__main__":
    main()
