#!/usr/bin/env python3
"""Real app exports (../shared/corpus/exports/aegis-importer-fixtures, from the Aegis project's importer tests):
every file must either import to accounts that match plain.txt exactly — secret (through codes at fixed times),
type, algorithm, digits, period or counter, name — or be refused with a clear error. A misread account or a crash
fails the run.

    Scripts/conformance-exports.py [PATH/TO/otp]

Each file is read by `otp code --from FILE --json` (codes at fixed times) and `otp check --json FILE` (fields).
The per-format differences listed in the corpus README are applied to the vectors before comparing.
"""
import base64, hashlib, hmac, json, os, struct, subprocess, sys, tempfile, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "shared", "corpus", "exports", "aegis-importer-fixtures")
OTP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".build", "release", "otp")
TIMES = [1_700_000_000, 1_800_000_007, 59]
PASSWORDS = {"aegis_encrypted.json": "test", "andotp_encrypted.bin": "test", "andotp_encrypted_old.bin": "test",
             "stratum_encrypted.bin": "test", "stratum_encrypted_legacy.bin": "test", "authy_encrypted.xml": "testtest",
             "authenticator_plus.zip": "testtesttest", "totp_authenticator.bin": "Testtest1"}
for name in ("2fas_authenticator_encrypted.2fas", "2fas_authenticator_encrypted_v3.2fas",
             "2fas_authenticator_encrypted_v4.2fas", "freeotp.xml", "freeotp_v2_api23.xml", "freeotp_v2_api25.xml",
             "freeotp_v2_api27.xml", "freeotp_v2_api34.xml", "freeotp_v2_null_algo.xml"):
    PASSWORDS[name] = "test"
STEAM = "23456789BCDFGHJKMNPQRTVWXY"
# Files holding the app's own account rather than the seven vectors (Aegis's test compares them with vectors that are
# not in plain.txt): reported as "unverif" with what was read, never counted as exact.
NO_VECTOR = {"battle_net_authenticator.xml"}


def vectors():
    out = []
    for line in open(os.path.join(CORPUS, "plain.txt")):
        line = line.strip()
        if not line:
            continue
        u = urllib.parse.urlsplit(line)
        q = dict(urllib.parse.parse_qsl(u.query))
        label = urllib.parse.unquote(u.path[1:])
        name = label.split(":", 1)[1] if ":" in label else label
        secret = q["secret"] + "=" * (-len(q["secret"]) % 8)
        out.append({"type": u.netloc, "issuer": q.get("issuer"), "name": name, "secret": base64.b32decode(secret),
                    "algorithm": q.get("algorithm", "SHA1"), "digits": int(q.get("digits", 6)),
                    "period": int(q.get("period", 30)), "counter": int(q.get("counter", 0))})
    return out


def code(v, counter):
    mac = hmac.new(v["secret"], struct.pack(">Q", counter), getattr(hashlib, v["algorithm"].lower())).digest()
    o = mac[-1] & 15
    n = struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF
    if v["type"] == "steam":
        s = ""
        for _ in range(5):
            s += STEAM[n % 26]
            n //= 26
        return s
    return str(n % 10 ** v["digits"]).zfill(v["digits"])


def expected_codes(v):
    if v["type"] == "hotp":
        return [code(v, v["counter"])]
    return [code(v, t // v["period"]) for t in TIMES]


def adjusted(file, vs):
    if file == "2fas_authenticator.json" or file == "microsoft_authenticator.sqlite":
        return [dict(v, type="totp", algorithm="SHA1", digits=6, period=30) for v in vs]
    if file == "google_authenticator.sqlite":
        return [dict(v, algorithm="SHA1", digits=6, period=30) for v in vs]
    if file.startswith("authy_"):
        # Authy stores the secret and digits only; it computes every code with SHA1 and 30 s (our reading of the
        # stored fields: the corpus README defers to Aegis's tests, which we have not seen).
        return [dict(v, algorithm="SHA1", period=30) for v in vs if v["type"] == "totp"]
    if file.startswith("totp_authenticator"):
        # TOTP Authenticator keeps no algorithm (SHA1 for all) and lowercases account names.
        return [dict(v, algorithm="SHA1", name=v["name"].lower()) for v in vs if v["type"] == "totp"]
    if file == "duo.json":
        # Duo keeps no issuer; its HOTP counter moved on while the app showed codes (3 in the file, 1 in the vector):
        # Aegis's test resets the imported counter to the vector's; here the vector takes the file's counter, and
        # the codes still check the secret.
        return [dict(v, issuer=None, counter=3 if v["type"] == "hotp" else v["counter"]) for v in vs
                if v["type"] != "steam"]
    if file.startswith("steam"):
        return [dict(v, issuer="Steam") for v in vs if v["type"] == "steam"]
    return vs


def run(args, passfile):
    cmd = [OTP] + args + (["--source-passphrase-file", passfile] if passfile else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    try:
        doc = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError:
        doc = None
    return p.returncode, doc, p.stderr


def main():
    vs = vectors()
    rows, misread, crashed = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for file in sorted(os.listdir(CORPUS)):
            if file in ("README.md",):
                continue
            path = os.path.join(CORPUS, file)
            passfile = None
            if file in PASSWORDS:
                passfile = os.path.join(tmp, "pass")
                open(passfile, "w").write(PASSWORDS[file] + "\n")
            want = adjusted(file, vs)
            per_time = []
            status = 0
            for t in TIMES:
                status, doc, err = run(["code", "--from", path, "--at", str(t), "--json"], passfile)
                # Elements with "error" are inputs that gave no account (otp code --from --json lists them too).
                per_time.append([e for e in doc if "error" not in e] if isinstance(doc, list) else [])
            if status < 0 or status > 2:
                crashed += 1
                rows.append((file, "CRASH", f"exit {status}: {err.strip()[:100]}"))
                continue
            got = []
            for i, acc in enumerate(per_time[0]):
                codes = [c.get("code") for c in acc.get("codes", [])[:1]]
                if "counter" not in (acc.get("codes") or [{}])[0]:
                    codes = [(per_time[k][i]["codes"][0]["code"] if i < len(per_time[k]) and per_time[k][i].get("codes") else None) for k in range(len(TIMES))]
                got.append({"issuer": acc.get("issuer"), "name": acc.get("account"), "codes": codes})
            if not got:
                message = err.strip().splitlines()[-1] if err.strip() else "(no message)"
                message = message.replace(path, file).replace("otp: ", "", 1)
                rows.append((file, "refused", message[:120]))
                continue
            if file in NO_VECTOR:
                rows.append((file, "unverif", f"{len(got)} account(s) read ({[g['name'] for g in got]}); no vector"))
                continue
            unmatched = list(want)
            bad, renamed = [], []
            for g in got:
                # The codes decide (secret, type, algorithm, digits, period or counter); the name is compared next.
                match = next((v for v in unmatched if expected_codes(v) == g["codes"] and v["name"] == g["name"]), None)
                match = match or next((v for v in unmatched if expected_codes(v) == g["codes"]), None)
                if not match:
                    bad.append(g["name"])
                    continue
                unmatched.remove(match)
                if match["name"] != g["name"]:
                    renamed.append(f"{g['name']!r} for {match['name']!r}")
            if bad:
                misread += 1
                rows.append((file, "MISREAD", f"{len(got) - len(bad)}/{len(want)} match; wrong codes: {bad}"))
            elif unmatched or renamed:
                note = f"; missing {[v['name'] for v in unmatched]}" if unmatched else ""
                note += f"; names {renamed}" if renamed else ""
                rows.append((file, "partial", f"{len(got)}/{len(want)} accounts with correct codes{note}"))
            else:
                rows.append((file, "exact", f"{len(got)}/{len(want)} accounts"))
    width = max(len(r[0]) for r in rows)
    for file, verdict, detail in rows:
        print(f"{file:<{width}}  {verdict:<8} {detail}")
    counts = {k: sum(1 for r in rows if r[1] == k)
              for k in ("exact", "partial", "unverif", "refused", "MISREAD", "CRASH")}
    print(f"\n{len(rows)} files: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    sys.exit(1 if misread or crashed else 0)


if __name__ == "__main__":
    main()
