#!/usr/bin/env python3
"""Issue 9's promise, measured: any file up to 1 MB makes `otp scan`, `otp check` and `otp import --dry-run` finish
within 2 s and 256 MiB, or refuse it. Generates hostile files of at most 1 MB (seeded), runs each command on each
file under /usr/bin/time, and prints wall time and peak RSS. Exit 1 when a run exceeds the budget or crashes.

    Scripts/hostile-budget.py [PATH/TO/otp]      (default .build/release/otp)
"""
import base64, json, os, random, struct, subprocess, sys, tempfile, zlib

OTP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".build", "release", "otp")
LIMIT_S, LIMIT_KB, MB = 2.0, 256 * 1024, 1_000_000
rng = random.Random(9)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, row, depth=8, color=0):
    raw = b"".join(b"\x00" + row(y) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def lines(make):
    out = bytearray()
    while len(out) < MB - 200:
        out += make().encode() + b"\n"
    return bytes(out[:MB])


def junk(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, n)))


def aegis(n, r, p, slots=1):
    slot = {"type": 1, "key": "00" * 32, "key_params": {"nonce": "00" * 12, "tag": "00" * 16}, "n": n, "r": r, "p": p,
            "salt": "11" * 32}
    return json.dumps({"version": 1, "header": {"slots": [slot] * slots, "params": {"nonce": "00" * 12, "tag": "00" * 16}},
                       "db": base64.b64encode(b"\x00" * 64).decode()}).encode()


def migration(size, index):
    entry = b"\x0a\x0a" + b"0123456789" + b"\x12\x01a"
    body = b"\x0a" + bytes([len(entry)]) + entry + b"\x18" + bytes([size]) + b"\x20" + bytes([index])
    return "otpauth-migration://offline?data=" + base64.b64encode(body).decode().replace("+", "%2B").replace("/", "%2F")


def photo_fixtures():
    """Scripts/make-photo-fixtures.py as a module (its JPEG scan splitter)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("photo_fixtures", os.path.join(os.path.dirname(__file__),
                                                                                 "make-photo-fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def camera(kind):
    """Camera-format bombs (issue 14), made with Pillow from valid files: declared sizes, noise after a valid
    header, a progressive file with hundreds of scans over a large image."""
    import io
    from PIL import Image

    def save(img, fmt, **options):
        b = io.BytesIO()
        img.save(b, fmt, **options)
        return b.getvalue()

    small = save(Image.new("L", (64, 64), 200), "JPEG", quality=50)
    sof = small.index(b"\xff\xc0")
    if kind == "jpeg-declares-100mp":
        return small[:sof + 5] + struct.pack(">HH", 10000, 10000) + small[sof + 9:]
    if kind == "jpeg-noise-12mp":
        header = save(Image.new("L", (4000, 3000), 200), "JPEG", quality=90)
        sos = header.index(b"\xff\xda")
        start = sos + 2 + struct.unpack(">H", header[sos + 2:sos + 4])[0]
        return (header[:start] + bytes(rng.randrange(256) for _ in range(MB - start - 2))).replace(b"\xff", b"\xfe") + b"\xff\xd9"
    if kind == "jpeg-499-scans-64mp":
        prog = save(Image.new("L", (8000, 8000), 200), "JPEG", quality=50, progressive=True)
        scans = photo_fixtures().progressive_scans(prog)
        start, end = scans[-1]
        repeats = min(499 - len(scans), (MB - len(prog)) // (end - start))
        return prog[:end] + prog[start:end] * repeats + prog[end:]
    if kind == "webp-noise-12mp":
        header = save(Image.new("L", (4000, 3000), 200), "WEBP", quality=50)
        return header[:40] + bytes(rng.randrange(256) for _ in range(MB - 40))
    if kind == "webp-lossless-48mp":
        return save(Image.new("L", (8000, 6000), 200), "WEBP", lossless=True)
    raise ValueError(kind)


FILES = {
    "random.bin": lambda: bytes(rng.randrange(256) for _ in range(MB)),
    "junk-lines.txt": lambda: lines(lambda: junk("abcdefghij :/?&=", 80)),
    "junk-otpauth.txt": lambda: lines(lambda: "otpauth://totp/" + junk("abc%:/?&=\x01", 60)),
    "junk-migration.txt": lambda: lines(lambda: "otpauth-migration://offline?data=" + junk("ABCDEFGH+/", 60)),
    "batch-fields.txt": lambda: lines(lambda: migration(rng.randrange(1, 120), rng.randrange(0, 120))),
    "one-line.txt": lambda: b"otpauth://totp/a?secret=" + b"A" * (MB - 30),
    "no-newline.txt": lambda: b"x" * MB,
    "deep-json.json": lambda: b"[" * (MB // 2) + b"]" * (MB // 2),
    "wide-json.json": lambda: json.dumps({"services": [{"secret": "JBSWY3DPEHPK3PXP", "name": str(i)} for i in range(12000)]}).encode()[:MB],
    "aegis-at-budget.json": lambda: aegis(1 << 16, 8, 8),
    "aegis-over-budget.json": lambda: aegis(1 << 15, 8, 1 << 23),
    "aegis-many-slots.json": lambda: aegis(1 << 14, 8, 1, slots=2000),
    "png-blank-100mp.png": lambda: png(10_000, 10_000, lambda y: b"\xff" * 10_000),
    "png-checker-100mp.png": lambda: png(10_000, 10_000, lambda y: bytes(0 if (x // 7 + y // 7) % 2 else 255 for x in range(10_000))),
    "png-noise-1mp.png": lambda: png(995, 1000, lambda y: bytes(rng.randrange(256) for _ in range(995))),
    "png-stripes-100x100000.png": lambda: png(100, 100_000, lambda y: bytes(0 if (x // 3 + y // 3) % 2 else 255 for x in range(100))),
    "png-narrow-1x250000.png": lambda: png(1, 250_000, lambda y: b"\xff"),
    "png-huge-chunk.png": lambda: (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100, 100, 8, 0, 0, 0, 0))
                                   + struct.pack(">I", 0x7FFFFFF0) + b"tEXt" + b"a" * 100),
    "jpeg-declares-100mp.jpg": lambda: camera("jpeg-declares-100mp"),
    "jpeg-noise-12mp.jpg": lambda: camera("jpeg-noise-12mp"),
    "jpeg-499-scans-64mp.jpg": lambda: camera("jpeg-499-scans-64mp"),
    "webp-noise-12mp.webp": lambda: camera("webp-noise-12mp"),
    "webp-lossless-48mp.webp": lambda: camera("webp-lossless-48mp"),
    # andOTP's header at the PBKDF2 limit (1 000 000 rounds of HMAC-SHA1), then noise: the slowest derivation allowed.
    "andotp-at-pbkdf2-limit.bin": lambda: struct.pack(">I", 1_000_000) + bytes(rng.randrange(256) for _ in range(124)),
    "heic-declares-60000.heic": lambda: open(os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "hostile",
                                                         "heic-declares-60000x60000.heic"), "rb").read(),
}


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        passfile = os.path.join(tmp, "pass")
        open(passfile, "w").write("test\n")
        print(f"{'file':<28} {'bytes':>8}  {'command':<18} {'wall s':>7} {'peak MiB':>9}  exit")
        for name, make in FILES.items():
            path = os.path.join(tmp, name)
            data = make()
            assert len(data) <= MB, name
            open(path, "wb").write(data)
            for command in (["scan"], ["check"], ["import", "--dry-run"]):
                extra = ["--source-passphrase-file", passfile] if command[0] != "scan" else []
                env = dict(os.environ, OTP_VAULT=os.path.join(tmp, "none", "vault.sqlite"))
                p = subprocess.run(["/usr/bin/time", "-f", "%e %M", OTP] + command + extra + [path], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
                wall, rss = p.stderr.strip().splitlines()[-1].split()[-2:]
                wall, rss = float(wall), int(rss)
                bad = wall > LIMIT_S or rss > LIMIT_KB or p.returncode not in (0, 1)
                failures += bad
                print(f"{name:<28} {len(data):>8}  {' '.join(command):<18} {wall:>7.2f} {rss / 1024:>9.1f}  {p.returncode}"
                      + ("   OVER BUDGET" if bad else ""))
    print(f"\n{len(FILES) * 3} runs, {failures} over budget (limits {LIMIT_S} s, {LIMIT_KB // 1024} MiB)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
