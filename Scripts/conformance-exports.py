#!/usr/bin/env python3
"""Real app exports (../shared/corpus/exports/aegis-importer-fixtures, from the Aegis project's importer tests),
each read by `otp code --from FILE --json` at fixed times and compared with the vectors of plain.txt (after the
per-format differences the corpus README lists): secret (through the codes), type, algorithm, digits, period or
counter, issuer and name.

What each file holds is established independently of `otp`: this script decrypts the encrypted ones itself (Python
`cryptography`, hashlib, zipfile, sqlite3 read-only) and looks for each vector's secret in every encoding the apps use
(Base32, hex, Base64, raw bytes, Java signed-byte arrays); where the secrets stay sealed (FreeOTP 2 backups, Authy
under a backup password) it looks for each vector's issuer instead. So an entry `otp` silently dropped shows up.

Verdicts, per file:
  exact     every entry the file holds is read exactly
  conforms  every entry is read exactly or refused by name (never guessed: an HOTP entry without its counter);
            a name or issuer that differs from plain.txt is the one the app wrote into the file
  refused   the whole file refused with a clear error
  DIFFERS   a name or issuer that is neither the vector's nor the file's   (fails the run)
  DROPPED   an entry the file holds was neither read nor refused          (fails the run)
  MISREAD   wrong codes                                                    (fails the run)
  CRASH     a signal or an unexpected exit status                          (fails the run)

    Scripts/conformance-exports.py [PATH/TO/otp]
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
# Battle.net's file holds the app's own account, not one of plain.txt's: Aegis's later test vectors
# (app/src/test/java/com/beemdevelopment/aegis/vectors/VaultEntries.java) add it.
BATTLE_NET = ("otpauth://totp/Battle.net:US-2211-2050-3346?secret=BMGRXPGFARQQF4GMT25JATL2VYLAHDBI"
              "&issuer=Battle.net&digits=8")


def vectors():
    out = []
    for line in list(open(os.path.join(CORPUS, "plain.txt"))) + [BATTLE_NET]:
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
        # Authy stores the secret and digits only and computes every code with SHA1 (Aegis's test sets the vector's
        # algorithm to SHA1 and leaves the period out of the comparison); its codes are those of 30 s.
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


def plaintext(file):
    """The file's contents with its encryption removed, by this script's own reading of each format (the passwords
    are the corpus README's); `None` where the secrets stay sealed per entry."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    path = os.path.join(CORPUS, file)
    raw = open(path, "rb").read()
    password = PASSWORDS.get(file, "").encode()

    def pbkdf2(algorithm, salt, iterations, length=32):
        return PBKDF2HMAC(algorithm=algorithm, length=length, salt=salt, iterations=iterations).derive(password)

    def cbc(key, iv, body):
        plain = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        body = plain.update(body) + plain.finalize()
        unpad = padding.PKCS7(128).unpadder()
        return unpad.update(body) + unpad.finalize()

    if file == "aegis_encrypted.json":
        doc = json.loads(raw)
        slot = next(x for x in doc["header"]["slots"] if x["type"] == 1)
        kek = hashlib.scrypt(password, salt=bytes.fromhex(slot["salt"]), n=slot["n"], r=slot["r"], p=slot["p"],
                             dklen=32, maxmem=1 << 30)
        params = slot["key_params"]
        master = AESGCM(kek).decrypt(bytes.fromhex(params["nonce"]),
                                     bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]), None)
        body = doc["header"]["params"]
        return AESGCM(master).decrypt(bytes.fromhex(body["nonce"]),
                                      base64.b64decode(doc["db"]) + bytes.fromhex(body["tag"]), None)
    if file.startswith("2fas_authenticator_encrypted"):
        body, salt, nonce = (base64.b64decode(x) for x in json.loads(raw)["servicesEncrypted"].split(":"))
        return AESGCM(pbkdf2(hashes.SHA256(), salt, 10000)).decrypt(nonce, body, None)
    if file == "andotp_encrypted.bin":
        iterations = struct.unpack(">I", raw[:4])[0]
        return AESGCM(pbkdf2(hashes.SHA1(), raw[4:16], iterations)).decrypt(raw[16:28], raw[28:], None)
    if file == "andotp_encrypted_old.bin":
        return AESGCM(hashlib.sha256(password).digest()).decrypt(raw[:12], raw[12:], None)
    if file == "stratum_encrypted.bin":
        key = Argon2id(salt=raw[16:32], length=32, iterations=3, lanes=4, memory_cost=65536).derive(password)
        return AESGCM(key).decrypt(raw[32:44], raw[44:], None)
    if file == "stratum_encrypted_legacy.bin":
        return cbc(pbkdf2(hashes.SHA1(), raw[16:36], 64000), raw[36:52], raw[52:])
    if file == "totp_authenticator.bin":
        return cbc(hashlib.sha256(password).digest(), bytes(16), base64.b64decode(raw))
    if file == "authenticator_plus.zip":
        import zipfile
        return zipfile.ZipFile(path).read("Accounts.txt", pwd=password)
    if file == "battle_net_authenticator.xml":
        # Each stored value is hex XORed with the app's published mask (Aegis's BattleNetImporter): unmasked, the
        # device secret is the key in hex.
        import re
        mask = bytes.fromhex("398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba47c"
                             "17ca6c6479015c1d5b8b8f6b9a")
        values = re.findall(rb'name="com[.]blizzard[.]messenger[.]AUTHENTICATOR_(?:DEVICE_SECRET|SERIAL)">([0-9a-f]+)<',
                            raw)
        return b" ".join(bytes(a ^ b for a, b in zip(bytes.fromhex(v.decode()), mask)) for v in values)
    if file == "authy_encrypted.xml" or file.startswith("freeotp_v2"):
        return None
    return raw


def encodings(secret):
    b32 = base64.b32encode(secret).decode()
    java = ",".join(str(b - 256 if b > 127 else b) for b in secret).encode()
    return [b32.rstrip("=").encode(), b32.rstrip("=").lower().encode(), secret.hex().encode(),
            secret.hex().upper().encode(), base64.b64encode(secret).rstrip(b"="),
            base64.urlsafe_b64encode(secret).rstrip(b"="), secret, java]


def held(file, vs):
    """The vectors the file holds (see the module's description), and how that was established."""
    text = plaintext(file)
    if text is None:
        raw = open(os.path.join(CORPUS, file), "rb").read()
        return [v for v in vs if v["issuer"].encode() in raw], "by issuer (secrets sealed per entry)"
    return [v for v in vs if any(e in text for e in encodings(v["secret"]))], "by secret"


def main():
    vs = vectors()
    rows, failed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for file in sorted(os.listdir(CORPUS)):
            if file in ("README.md",):
                continue
            path = os.path.join(CORPUS, file)
            passfile = None
            if file in PASSWORDS:
                passfile = os.path.join(tmp, "pass")
                open(passfile, "w").write(PASSWORDS[file] + "\n")
            per_time, refusals = [], []
            status = 0
            for t in TIMES:
                status, doc, err = run(["code", "--from", path, "--at", str(t), "--json"], passfile)
                # Elements with "error" are inputs or entries that gave no account (otp code --from --json lists
                # them too), each naming its source.
                per_time.append([e for e in doc if "error" not in e] if isinstance(doc, list) else [])
                if t == TIMES[0] and isinstance(doc, list):
                    refusals = [e["error"] for e in doc if "error" in e]
            if status < 0 or status > 2:
                failed += 1
                rows.append((file, "CRASH", f"exit {status}: {err.strip()[:100]}"))
                continue
            got = []
            for i, acc in enumerate(per_time[0]):
                codes = [c.get("code") for c in acc.get("codes", [])[:1]]
                if "counter" not in (acc.get("codes") or [{}])[0]:
                    codes = [(per_time[k][i]["codes"][0]["code"]
                              if i < len(per_time[k]) and per_time[k][i].get("codes") else None)
                             for k in range(len(TIMES))]
                got.append({"issuer": acc.get("issuer"), "name": acc.get("account"), "codes": codes})
            if not got and len(refusals) <= 1:
                message = err.strip().splitlines()[-1] if err.strip() else "(no message)"
                message = message.replace(path, file).replace("otp: ", "", 1)
                rows.append((file, "refused", message[:120]))
                continue
            holds, how = held(file, vs)
            # The README's differences, applied to what the file holds (by secret, so the order does not matter).
            secrets = {v["secret"] for v in holds}
            want = [v for v in adjusted(file, vs) if v["secret"] in secrets]
            text = plaintext(file) or open(path, "rb").read()
            unmatched = list(want)
            bad, differs, as_in_file = [], [], []
            for g in got:
                match = next((v for v in unmatched if expected_codes(v) == g["codes"]), None)
                if not match:
                    bad.append(g["name"])
                    continue
                unmatched.remove(match)
                for field in ("name", "issuer"):
                    if (match[field] or None) == (g[field] or None):
                        continue
                    # Not the vector's: it must be what the app wrote into the file.
                    if g[field] and g[field].encode() in text:
                        as_in_file.append(f"{field} {g[field]!r} for {match[field]!r}")
                    else:
                        differs.append(f"{field} {g[field]!r} for {match[field]!r}")
            note = f"{len(holds)} held ({how})"
            if bad:
                failed += 1
                rows.append((file, "MISREAD", f"{note}; wrong codes: {bad}"))
            elif differs:
                failed += 1
                rows.append((file, "DIFFERS", f"{note}; {differs}"))
            elif len(unmatched) > len(refusals):
                failed += 1
                rows.append((file, "DROPPED", f"{note}; neither read nor refused: {[v['name'] for v in unmatched]}"))
            elif refusals or as_in_file:
                detail = f"{note}; {len(got)} read exactly"
                if refusals:
                    reasons = sorted({r["code"] for r in refusals})
                    detail += f", {len(refusals)} refused by name ({', '.join(reasons)})"
                if as_in_file:
                    detail += f"; as the file has it: {as_in_file}"
                rows.append((file, "conforms", detail))
            else:
                rows.append((file, "exact", f"{note}; {len(got)} read exactly"))
    width = max(len(r[0]) for r in rows)
    for file, verdict, detail in rows:
        print(f"{file:<{width}}  {verdict:<8} {detail}")
    kinds = ("exact", "conforms", "refused", "DIFFERS", "DROPPED", "MISREAD", "CRASH")
    counts = {k: sum(1 for r in rows if r[1] == k) for k in kinds}
    print(f"\n{len(rows)} files: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
