#!/usr/bin/env python3
"""Issue 24's promise, measured: hostile vault files, app databases, passphrase commands, servers that are not
PostgreSQL and closed pipes make `otp` answer within 5 s and 256 MiB, with an exit status, never a signal. Each
case runs the real binary; wall time, peak RSS (wait4) and how it ended are printed. Exit 1 when a case is over
budget, ends by a signal, or exits 0 where it must fail.

    Scripts/hostile-cases.py [PATH/TO/otp]      (default .build/release/otp)
"""
import os, shutil, socket, sqlite3, subprocess, sys, tempfile, threading, time

OTP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), "..", ".build", "release", "otp"))
LIMIT_S, LIMIT_MB = 5.0, 256
work = tempfile.mkdtemp(prefix="otp-hostile-")
URI = "otpauth://totp/Real:r?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Real"
base = os.path.join(work, "vault.sqlite")
ENV = dict(os.environ, OTP_VAULT=base, OTP_PASSPHRASE="pw")
subprocess.run([OTP, "import", "--create", "-"], input=URI.encode(), env=ENV, capture_output=True, check=True)


def vault(name, sql):
    path = os.path.join(work, name)
    shutil.copy(base, path)
    db = sqlite3.connect(path)
    db.executescript(sql)
    db.commit()
    db.close()
    return path


def slots(count, n, r, p):
    rows = ", ".join(f"('h{i}', randomblob(32), {n}, {r}, {p}, randomblob(60), {i})" for i in range(count))
    return f"DELETE FROM keySlot; INSERT INTO keySlot VALUES {rows};"


def server(answer, endless):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                while True:
                    if answer:
                        conn.sendall(answer)
                    if not endless:
                        break
                conn.recv(1)
            except OSError:
                pass
    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def run(argv, env=None, stdout=subprocess.DEVNULL, close_stdout=False):
    read_end = None
    if close_stdout:
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout = write_end
    started = time.monotonic()
    process = subprocess.Popen(argv, env=dict(ENV, **(env or {})), stdout=stdout, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    if close_stdout:
        os.close(write_end)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, usage.ru_maxrss / 1024, process.returncode


def finders(side, kind):
    """A texture of QR finder patterns (3-pixel modules in 9-module cells), as a small PNG or lossless WebP. Made in
    a child process: this one stays small, so the peak RSS of the otp processes it forks is theirs."""
    path = os.path.join(work, f"finders-{side}.{kind}")
    subprocess.run([sys.executable, "-c", """
import sys
from PIL import Image
side, kind, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cell, rows = 27, []
for y in range(side):
    my = (y % cell) // 3 - 1
    row = bytearray(b"\\xff" * side)
    if 0 <= my < 7:
        for x in range(side):
            mx = (x % cell) // 3 - 1
            if 0 <= mx < 7 and min(mx, my, 6 - mx, 6 - my) != 1:
                row[x] = 0
    rows.append(bytes(row))
Image.frombytes("L", (side, side), b"".join(rows)).save(path, **({"lossless": True} if kind == "webp" else {}))
""", str(side), kind, path], check=True)
    return path


view = ("DROP TABLE entry; CREATE VIEW entry AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT i AS id, 0 AS createdAt, 0 AS updatedAt, x'' AS identityTag, x'' AS duplicateTag, 1 AS version, "
        "x'' AS sealed FROM n;")
many = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 100001) " \
       "INSERT INTO entry SELECT 'e' || i, i, i, randomblob(32), randomblob(32), 1, randomblob(100) FROM n;"
passfile = os.path.join(work, "pass")
open(passfile, "w").write("pw\n")
http = server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", False)
silent = server(b"", False)
endless = server(b"R" * 65536, True)
def csv(name, header, row, count):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(header + "\n")
        for i in range(count):
            f.write(row.replace("N", str(i)) + "\n")
    return path


wide = os.path.join(work, "wide.csv")
with open(wide, "w") as f:
    f.write("Title,Username,TOTP\n" + "x," * 5_000_000 + "\n")
CASES = [
    ("csv: 300 000 rows without a code", [OTP, "check", csv("rows.csv", "Title,Username,TOTP", "tN,uN,", 300_000)],
     None),
    ("csv: one row of 5 000 000 fields", [OTP, "check", wide], None),
    ("vault: a recursive view as the entry table", [OTP, "list"], {"OTP_VAULT": vault("view.sqlite", view)}),
    ("vault: a trigger", [OTP, "list"], {"OTP_VAULT": vault(
        "trigger.sqlite", "CREATE TRIGGER t AFTER INSERT ON entry BEGIN DELETE FROM keySlot; END;")}),
    ("vault: 60 key slots", [OTP, "list"], {"OTP_VAULT": vault("slots60.sqlite", slots(60, 1 << 15, 8, 1))}),
    ("vault: 5 slots at the highest cost", [OTP, "list"],
     {"OTP_VAULT": vault("slotsmax.sqlite", slots(5, 1 << 17, 8, 1))}),
    ("vault: a 50 MB row", [OTP, "list"], {"OTP_VAULT": vault(
        "huge.sqlite", "INSERT INTO entry VALUES ('huge', 1, 1, randomblob(32), randomblob(32), 1, "
                       "zeroblob(50000000));")}),
    ("vault: 100 001 entries", [OTP, "list"], {"OTP_VAULT": vault("many.sqlite", many)}),
    ("restore: a recursive view", [OTP, "import", "--source-passphrase-file", passfile,
                                    os.path.join(work, "view.sqlite")], None),
    ("passphrase command: 2 MB, no line break", [OTP, "list", "--passphrase-command",
                                                 "head -c 2000000 /dev/zero | tr '\\0' x"], {"OTP_PASSPHRASE": ""}),
    ("server: answers HTTP", [OTP, "list"], {"OTP_VAULT": f"postgresql://u@127.0.0.1:{http}/db?sslmode=disable",
                                             "OTP_PERSONAL_VAULT": base}),
    ("server: accepts and says nothing", [OTP, "list"],
     {"OTP_VAULT": f"postgresql://u@127.0.0.1:{silent}/db?sslmode=disable",
      "OTP_PERSONAL_VAULT": base}),
    ("server: an endless stream", [OTP, "list"],
     {"OTP_VAULT": f"postgresql://u@127.0.0.1:{endless}/db?sslmode=disable",
      "OTP_PERSONAL_VAULT": base}),
    ("stdout: a closed pipe", [OTP, "code", "--from", URI, "--next", "100"], None, True),
    ("image: a 1.7 KB WebP of 16 MP of finder-like tiles", [OTP, "scan", finders(4000, "webp")], None),
    ("image: a 170 KB PNG of 100 MP of finder-like tiles", [OTP, "scan", finders(10000, "png")], None),
]
failed = 0
print(f"{'case':52} {'wall':>7} {'peak RSS':>9}  ended")
for case in CASES:
    name, argv, env = case[:3]
    close = len(case) > 3
    seconds, mb, code = run(argv, env, close_stdout=close)
    ended = f"signal {-code}" if code < 0 else f"exit {code}"
    bad = code <= 0 or seconds > LIMIT_S or mb > LIMIT_MB
    failed += bad
    print(f"{name:52} {seconds:6.2f}s {mb:7.0f} MiB  {ended}{'  <-- OVER' if bad else ''}")
shutil.rmtree(work)
print(f"{len(CASES)} cases, {failed} over budget, by a signal, or exit 0")
sys.exit(1 if failed else 0)
