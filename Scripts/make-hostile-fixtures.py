#!/usr/bin/env python3
"""Makes Tests/Fixtures/hostile/: small files that once crashed, hung or exhausted memory (issue 9).

Deterministic: running it again gives byte-identical files. Standard library only (zlib, struct).
"""
import os, struct, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "hostile")


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, row):
    raw = b"".join(b"\x00" + row(y, width) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def white(y, w):
    return b"\xff" * w


def stripes(y, w):
    # 3-pixel checkerboard: every row is full of 1:1:3:1:1-like runs for the finder-pattern search.
    return bytes(0 if (x // 3 + y // 3) % 2 else 255 for x in range(w))


def declared_chunk(kind):
    header = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100, 100, 8, 0, 0, 0, 0))
    return header + struct.pack(">I", 0x7FFFFFF0) + kind + b"a" * 100


FILES = {
    "narrow-1x250000.png": lambda: png(1, 250_000, white),
    "narrow-250000x1.png": lambda: png(250_000, 1, white),
    "narrow-1x5000.png": lambda: png(1, 5_000, white),
    "stripes-21x250000.png": lambda: png(21, 250_000, stripes),
    "stripes-25x4000.png": lambda: png(25, 4_000, stripes),
    "huge-text-chunk.png": lambda: declared_chunk(b"tEXt"),
    "huge-idat-chunk.png": lambda: declared_chunk(b"IDAT"),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, make in FILES.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(make())
        print(name, os.path.getsize(os.path.join(OUT, name)))
