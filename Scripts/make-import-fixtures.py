#!/usr/bin/env python3
"""Makes the batch-import fixtures: other authenticators' exports (Tests/Fixtures/exports) and a folder of mixed
inputs with a Google Authenticator transfer batch split over two QR images (Tests/Fixtures/batch).

    pip install segno numpy pillow cryptography && python3 Scripts/make-import-fixtures.py

Formats follow the apps' published documentation (Aegis docs/vault.md; 2FAS, andOTP and Bitwarden export
layouts). The encrypted Aegis vault uses password "fixture password" and scrypt N=2^12 (a cheap cost, for test
speed; the importer reads N, r, p from the slot). Random values (nonces, salts, uuids) come from a fixed seed,
so re-running reproduces the same files. Every secret is a test secret.
"""
import base64
import hashlib
import json
import os
import random
import shutil
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib

fixtures = importlib.import_module("make-fixtures")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")
rng = random.Random(20261129)


def rbytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def b32(data):
    return base64.b32encode(data).decode().rstrip("=")


def uuid():
    h = rbytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


ACCOUNTS = [
    # (type, issuer, name, secret bytes, algorithm, digits, period, counter)
    ("totp", "GitHub", "octo@example.com", b"github-secret-bytes!", "SHA1", 6, 30, None),
    ("totp", "AWS", "root@123456789012", b"aws-root-secret-bytes-32-long!!!", "SHA256", 8, 60, None),
    ("hotp", "Bank", "client 42", b"bank-hotp-secret-bytes", "SHA1", 6, None, 7),
    ("steam", "Steam", "gamer", b"steam-secret-bytes!!", "SHA1", 5, 30, None),
]


def aegis_entries():
    out = []
    for kind, issuer, name, secret, algo, digits, period, counter in ACCOUNTS:
        info = {"secret": b32(secret), "algo": algo, "digits": digits}
        if kind == "hotp":
            info["counter"] = counter
        else:
            info["period"] = period
        out.append({"type": kind, "uuid": uuid(), "name": name, "issuer": issuer, "note": "", "icon": None, "info": info})
    return {"version": 2, "entries": out}


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def exports():
    out = os.path.join(ROOT, "exports")
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "aegis-plain.json"),
               {"version": 1, "header": {"slots": None, "params": None}, "db": aegis_entries()})

    # Encrypted Aegis vault: master key wrapped by a password slot, db sealed with the master key.
    password = b"fixture password"
    master = rbytes(32)
    salt = rbytes(32)
    n, r, p = 1 << 12, 8, 1
    kek = hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 << 20)
    key_nonce = rbytes(12)
    wrapped = AESGCM(kek).encrypt(key_nonce, master, None)
    db_nonce = rbytes(12)
    sealed = AESGCM(master).encrypt(db_nonce, json.dumps(aegis_entries()).encode(), None)
    write_json(os.path.join(out, "aegis-encrypted.json"), {
        "version": 1,
        "header": {
            "slots": [{"type": 1, "uuid": uuid(), "key": wrapped[:-16].hex(),
                       "key_params": {"nonce": key_nonce.hex(), "tag": wrapped[-16:].hex()},
                       "n": n, "r": r, "p": p, "salt": salt.hex(), "repaired": True, "is_backup": False}],
            "params": {"nonce": db_nonce.hex(), "tag": sealed[-16:].hex()},
        },
        "db": base64.b64encode(sealed[:-16]).decode(),
    })

    services = []
    for i, (kind, issuer, name, secret, algo, digits, period, counter) in enumerate(ACCOUNTS):
        otp = {"account": name, "digits": digits, "algorithm": algo, "tokenType": kind.upper(), "source": "Link"}
        if kind == "hotp":
            otp["counter"] = counter
        else:
            otp["period"] = period
        services.append({"name": issuer, "secret": b32(secret), "updatedAt": 1700000000000 + i, "otp": otp,
                         "order": {"position": i}, "icon": {"selected": "Label", "label": {"text": issuer[:2].upper(),
                                                                                         "backgroundColor": "Orange"}}})
    write_json(os.path.join(out, "export.2fas"),
               {"services": services, "groups": [], "updatedAt": 1700000000000, "schemaVersion": 4, "appVersionCode": 5000000,
                "appVersionName": "5.0.0", "appOrigin": "android"})

    andotp = []
    for kind, issuer, name, secret, algo, digits, period, counter in ACCOUNTS:
        e = {"secret": b32(secret), "issuer": issuer, "label": name, "digits": digits, "type": kind.upper(),
             "algorithm": algo, "thumbnail": "Default", "last_used": 0, "used_frequency": 0, "tags": []}
        if kind == "hotp":
            e["counter"] = counter
        else:
            e["period"] = period
        andotp.append(e)
    write_json(os.path.join(out, "andotp.json"), andotp)

    items = []
    for kind, issuer, name, secret, algo, digits, period, counter in ACCOUNTS:
        if kind == "hotp":
            totp = f"otpauth://hotp/{issuer}:{name.replace(' ', '%20')}?secret={b32(secret)}&issuer={issuer}&counter={counter}"
        elif kind == "steam":
            totp = "steam://" + b32(secret)
        elif algo == "SHA1" and digits == 6 and period == 30:
            totp = b32(secret)  # a bare secret: Bitwarden's default TOTP
        else:
            totp = f"otpauth://totp/{issuer}:{name}?secret={b32(secret)}&issuer={issuer}&algorithm={algo}&digits={digits}&period={period}"
        items.append({"id": uuid(), "organizationId": None, "folderId": None, "type": 1, "reprompt": 0, "name": issuer,
                      "notes": None, "favorite": False, "login": {"uris": [], "username": name, "password": "hunter2",
                                                                  "totp": totp}, "collectionIds": None})
    items.append({"id": uuid(), "type": 2, "name": "A secure note", "notes": "not an OTP", "secureNote": {"type": 0}})
    write_json(os.path.join(out, "bitwarden.json"), {"encrypted": False, "folders": [], "items": items})

    with open(os.path.join(out, "freeotp-plus.txt"), "w") as f:
        f.write("otpauth://totp/GitHub:octo%40example.com?secret=" + b32(ACCOUNTS[0][3]) + "&issuer=GitHub\n")
        f.write("otpauth://hotp/Bank:client%2042?secret=" + b32(ACCOUNTS[2][3]) + "&issuer=Bank&counter=7\n")

    expected = [{"type": "totp" if k == "steam" else k, "steam": k == "steam", "issuer": i, "account": n,
                 "algorithm": a, "digits": d, "period": (p if k != "hotp" else None), "counter": c,
                 "secret_b32": b32(s)} for k, i, n, s, a, d, p, c in ACCOUNTS]
    write_json(os.path.join(out, "expected.json"), expected)


# ---------------------------------------------------------------------------------------------------- migration
def varint(v):
    out = b""
    v &= (1 << 64) - 1
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else varint(payload))


def migration_uri(accounts, batch_size, batch_index, batch_id):
    body = b""
    for secret, name, issuer in accounts:
        otp = field(1, 2, secret) + field(2, 2, name.encode()) + field(3, 2, issuer.encode()) + field(4, 0, 1) + \
              field(5, 0, 1) + field(6, 0, 2)
        body += field(1, 2, otp)
    body += field(2, 0, 1) + field(3, 0, batch_size) + field(4, 0, batch_index) + field(5, 0, batch_id)
    data = base64.b64encode(body).decode()
    return "otpauth-migration://offline?data=" + data.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def qr_png(path, text, module=4):
    import numpy as np
    mask = fixtures.qr_modules(text, module)
    page = np.full((mask.shape[0] + 80, mask.shape[1] + 80, 3), 245, np.uint8)
    fixtures.place(page, mask, 40, 40, (0, 0, 0), (255, 255, 255))
    fixtures.write_png("_tmp.png", page, 2)
    shutil.move(os.path.join(fixtures.OUT, "_tmp.png"), path)


def batch():
    out = os.path.join(ROOT, "batch")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "sub"))
    batch_id = 1217841385
    part1 = [(b"transfer-secret-one!", "Transfer:alice", "Transfer"), (b"transfer-secret-two!", "bob", "Transfer")]
    part2 = [(b"transfer-secret-three", "carol", "Transfer")]
    qr_png(os.path.join(out, "export-1-of-2.png"), migration_uri(part1, 2, 0, batch_id))
    qr_png(os.path.join(out, "sub", "export-2-of-2.png"), migration_uri(part2, 2, 1, batch_id))
    qr_png(os.path.join(out, "shot-aws.png"),
           "otpauth://totp/Amazon%20Web%20Services:dave@123456789012?secret=" + b32(b"aws-dave-secret-bytes") +
           "&issuer=Amazon%20Web%20Services")
    qr_png(os.path.join(out, ".hidden.png"), "otpauth://totp/Hidden:never?secret=" + b32(b"never-imported-secret"))
    with open(os.path.join(out, "uris.txt"), "w") as f:
        f.write("# two accounts\n")
        f.write("otpauth://totp/Text:one?secret=" + b32(b"text-secret-number-1") + "&issuer=Text\n")
        f.write("otpauth://totp/Text:two?secret=" + b32(b"text-secret-number-2") + "&issuer=Text&digits=4\n")
    good = open(os.path.join(out, "shot-aws.png"), "rb").read()
    with open(os.path.join(out, "sub", "broken.png"), "wb") as f:
        f.write(good[: len(good) // 2])
    with open(os.path.join(out, "notes.txt"), "w") as f:
        f.write("# nothing but a comment\n")


def stratum():
    """Authenticator Pro encrypted backups, both formats, password "fixture password" (own RNG: the other fixtures
    stay byte-identical when this runs)."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    own = random.Random(16)
    take = lambda n: bytes(own.getrandbits(8) for _ in range(n))
    plain = json.dumps({"Authenticators": [
        {"Type": 2, "Icon": None, "Issuer": "GitHub", "Username": "octo@example.com", "Secret": b32(ACCOUNTS[0][3]),
         "Pin": None, "Algorithm": 0, "Digits": 6, "Period": 30, "Counter": 0, "CopyCount": 0, "Ranking": 0},
        {"Type": 1, "Icon": None, "Issuer": "Bank", "Username": "client 42", "Secret": b32(ACCOUNTS[2][3]),
         "Pin": None, "Algorithm": 0, "Digits": 6, "Period": 30, "Counter": 7, "CopyCount": 0, "Ranking": 0}],
        "Categories": [], "AuthenticatorCategories": [], "CustomIcons": []}).encode()
    password = b"fixture password"
    out = os.path.join(ROOT, "exports")
    salt, nonce = take(16), take(12)
    key = Argon2id(salt=salt, length=32, iterations=3, lanes=4, memory_cost=65536).derive(password)
    with open(os.path.join(out, "stratum-encrypted.bin"), "wb") as f:
        f.write(b"AUTHENTICATORPRO" + salt + nonce + AESGCM(key).encrypt(nonce, plain, None))
    salt, iv = take(20), take(16)
    key = PBKDF2HMAC(algorithm=hashes.SHA1(), length=32, salt=salt, iterations=64000).derive(password)
    padder = padding.PKCS7(128).padder()
    body = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    with open(os.path.join(out, "stratum-legacy.bin"), "wb") as f:
        f.write(b"AuthenticatorPro" + salt + iv + encryptor.update(body) + encryptor.finalize())


def ente():
    """Ente Auth encrypted exports (password "fixture password"), made with PyNaCl (libsodium) from Ente's published
    description: Argon2id (crypto_pwhash) and a one-message XChaCha20-Poly1305 secret stream; and the same with the
    XChaCha20-Poly1305 AEAD, the other reading of "XChaCha20-Poly1305". `pip install pynacl`."""
    from nacl import bindings as sodium
    from nacl.pwhash import argon2id
    own = random.Random(1)
    take = lambda n: bytes(own.getrandbits(8) for _ in range(n))
    uris = ("otpauth://totp/GitHub:octo%40example.com?secret=" + b32(ACCOUNTS[0][3]) + "&issuer=GitHub\n"
            + "otpauth://hotp/Bank:client%2042?secret=" + b32(ACCOUNTS[2][3]) + "&issuer=Bank&counter=7\n").encode()
    salt = take(16)
    ops, mem = 2, 16 * 1024 * 1024
    key = argon2id.kdf(32, b"fixture password", salt, opslimit=ops, memlimit=mem)
    out = os.path.join(ROOT, "exports")
    # secretstream's header is random inside libsodium: the file differs on every run (the tests check contents).
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    sealed = sodium.crypto_secretstream_xchacha20poly1305_push(
        state, uris, None, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    kdf = {"memLimit": mem, "opsLimit": ops, "salt": base64.b64encode(salt).decode()}
    write_json(os.path.join(out, "ente-encrypted.json"), {
        "version": 1, "kdfParams": kdf, "encryptedData": base64.b64encode(sealed).decode(),
        "encryptionNonce": base64.b64encode(header).decode()})
    nonce = take(24)
    sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(uris, None, nonce, key)
    write_json(os.path.join(out, "ente-encrypted-aead.json"), {
        "version": 1, "kdfParams": kdf, "encryptedData": base64.b64encode(sealed).decode(),
        "encryptionNonce": base64.b64encode(nonce).decode()})


def proton():
    """Proton Authenticator's password-protected export (password "fixture password"), from proton-pass-common's
    password_exporter.rs: Argon2id v1.3 (2 passes, 19 MiB, 1 lane) + AES-256-GCM with the associated data
    "proton.authenticator.export.v1"; content = nonce || ciphertext || tag. Python `cryptography` (own RNG)."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    own = random.Random(7)
    take = lambda n: bytes(own.getrandbits(8) for _ in range(n))
    inner = json.dumps({"version": 1, "entries": [
        {"id": uuid(), "content": {"uri": "otpauth://totp/GitHub:octo%40example.com?secret=" + b32(ACCOUNTS[0][3])
                                   + "&issuer=GitHub&algorithm=SHA1&digits=6&period=30",
                                   "entry_type": "Totp", "name": "octo@example.com"}, "note": None},
        {"id": uuid(), "content": {"uri": "steam://" + b32(ACCOUNTS[3][3]), "entry_type": "Steam", "name": "gamer"},
         "note": None}]}).encode()
    salt, nonce = take(16), take(12)
    key = Argon2id(salt=salt, length=32, iterations=2, lanes=1, memory_cost=19 * 1024).derive(b"fixture password")
    sealed = nonce + AESGCM(key).encrypt(nonce, inner, b"proton.authenticator.export.v1")
    write_json(os.path.join(ROOT, "exports", "proton-encrypted.json"), {
        "version": 1, "salt": base64.b64encode(salt).decode(), "content": base64.b64encode(sealed).decode()})


def andotp_old():
    """andOTP's old encrypted backup (before 0.6.3; password "fixture password"): nonce (12) || AES-256-GCM
    ciphertext || tag, keyed by SHA-256 of the password, no header; entries without an issuer, labelled
    "Issuer - Issuer:Name" as in the real old-format backup of the corpus. Python `cryptography` (own RNG)."""
    own = random.Random(8)
    nonce = bytes(own.getrandbits(8) for _ in range(12))
    entries = [
        {"secret": b32(ACCOUNTS[0][3]), "label": "GitHub - GitHub:octo@example.com", "digits": 6, "type": "TOTP",
         "algorithm": "SHA1", "thumbnail": "Default", "last_used": 1608551893172, "period": 30, "tags": []},
        {"secret": b32(ACCOUNTS[2][3]), "label": "Bank - Bank:client 42", "digits": 6, "type": "HOTP",
         "algorithm": "SHA1", "thumbnail": "Default", "last_used": 1608551903646, "counter": 7, "tags": []}]
    key = hashlib.sha256(b"fixture password").digest()
    with open(os.path.join(ROOT, "exports", "andotp-old.bin"), "wb") as f:
        f.write(nonce + AESGCM(key).encrypt(nonce, json.dumps(entries).encode(), None))


def bitwarden_protected():
    """Bitwarden password-protected JSON exports (password "fixture password"), from the published Bitwarden clients
    (BitwardenPasswordProtectedImporter, KeyService.makeKey/stretchKey, EncString type 2), with Python `cryptography`:
    PBKDF2-SHA256 over the salt string (5 000 iterations, for test speed) and Argon2id over SHA-256 of it (3 passes,
    16 MiB, 2 lanes), each stretched by HKDF-Expand-SHA256 ("enc", "mac"); AES-256-CBC + HMAC-SHA256 EncStrings.
    The inner document is bitwarden.json (own RNG: the other fixtures stay byte-identical)."""
    from cryptography.hazmat.primitives import hashes, hmac as chmac, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    own = random.Random(9)
    take = lambda n: bytes(own.getrandbits(8) for _ in range(n))
    inner = open(os.path.join(ROOT, "exports", "bitwarden.json"), "rb").read()
    password = b"fixture password"

    def enc_string(plain, enc_key, mac_key):
        iv = take(16)
        padder = padding.PKCS7(128).padder()
        body = padder.update(plain) + padder.finalize()
        encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
        ct = encryptor.update(body) + encryptor.finalize()
        mac = chmac.HMAC(mac_key, hashes.SHA256())
        mac.update(iv + ct)
        return "2." + "|".join(base64.b64encode(x).decode() for x in (iv, ct, mac.finalize()))

    for name, kdf in (("bitwarden-protected-pbkdf2.json", 0), ("bitwarden-protected-argon2.json", 1)):
        salt = base64.b64encode(take(16)).decode()
        if kdf == 0:
            params = {"kdfType": 0, "kdfIterations": 5000}
            key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=5000).derive(password)
        else:
            params = {"kdfType": 1, "kdfIterations": 3, "kdfMemory": 16, "kdfParallelism": 2}
            key = Argon2id(salt=hashlib.sha256(salt.encode()).digest(), length=32, iterations=3, lanes=2,
                           memory_cost=16 * 1024).derive(password)
        enc_key = HKDFExpand(algorithm=hashes.SHA256(), length=32, info=b"enc").derive(key)
        mac_key = HKDFExpand(algorithm=hashes.SHA256(), length=32, info=b"mac").derive(key)
        doc = {"encrypted": True, "passwordProtected": True, "salt": salt, **params,
               "encKeyValidation_DO_NOT_EDIT": enc_string(str(uuid()).encode(), enc_key, mac_key),
               "data": enc_string(inner, enc_key, mac_key)}
        write_json(os.path.join(ROOT, "exports", name), doc)


def zips():
    """ZIP exports (password "fixture password"), each made by an independent ZIP writer, and hostile archives:

    - exports/authenticator-plus.zip: Accounts.txt (otpauth URIs) under ZipCrypto, by Info-ZIP's `zip -P`, the
      encryption of the real Authenticator Plus export in the corpus;
    - exports/raivo.zip: raivo-otp-export.json (Raivo's string-valued fields) and an HTML copy under WinZip AES-256,
      by 7-Zip (`7zz -mem=AES256`), as SSZipArchive writes Raivo's export; exports/raivo-otp-export.json is the JSON
      alone;
    - hostile/zip-bomb-declared.zip (a member of 17 MiB of zeros, declared), hostile/zip-bomb-lying.zip (the same,
      its sizes rewritten to 1 000 bytes in both headers), hostile/zip-65-members.zip, hostile/zip-overlong-line.zip
      (an unencrypted Accounts.txt with a 70 000-byte line): Python's zipfile and struct.

    Needs `zip` and `7zip` (Debian packages). ZipCrypto and AES salts are random: the encrypted files differ on
    every run (the tests check contents)."""
    import subprocess, tempfile, zipfile, io
    out = os.path.join(ROOT, "exports")
    hostile = os.path.join(ROOT, "hostile")
    with tempfile.TemporaryDirectory() as tmp:
        lines = ("otpauth://totp/GitHub:octo%40example.com?secret=" + b32(ACCOUNTS[0][3]) + "&issuer=GitHub\n"
                 + "otpauth://hotp/Bank:client%2042?secret=" + b32(ACCOUNTS[2][3]) + "&issuer=Bank&counter=7\n")
        open(os.path.join(tmp, "Accounts.txt"), "w").write(lines)
        raivo = [
            {"issuer": "GitHub", "account": "octo@example.com", "secret": b32(ACCOUNTS[0][3]), "algorithm": "SHA1",
             "digits": "6", "kind": "TOTP", "timer": "30", "counter": "0", "iconType": "", "iconValue": ""},
            {"issuer": "AWS", "account": "root@123456789012", "secret": b32(ACCOUNTS[1][3]), "algorithm": "SHA256",
             "digits": "8", "kind": "TOTP", "timer": "60", "counter": "0", "iconType": "", "iconValue": ""},
            {"issuer": "Bank", "account": "client 42", "secret": b32(ACCOUNTS[2][3]), "algorithm": "SHA1",
             "digits": "6", "kind": "HOTP", "timer": "30", "counter": "7", "iconType": "", "iconValue": ""}]
        open(os.path.join(tmp, "raivo-otp-export.json"), "w").write(json.dumps(raivo))
        open(os.path.join(tmp, "raivo-otp-export.html"), "w").write("<html><body>3 accounts</body></html>\n")
        for name in ("Accounts.txt", "raivo-otp-export.json", "raivo-otp-export.html"):
            os.utime(os.path.join(tmp, name), (1700000000, 1700000000))
        for target in ("authenticator-plus.zip", "raivo.zip"):
            if os.path.exists(os.path.join(out, target)):
                os.remove(os.path.join(out, target))
        subprocess.run(["zip", "-q", "-X", "-P", "fixture password", os.path.join(out, "authenticator-plus.zip"),
                        "Accounts.txt"], cwd=tmp, check=True)
        subprocess.run(["7zz", "a", "-bd", "-bso0", "-tzip", "-pfixture password", "-mem=AES256",
                        os.path.join(out, "raivo.zip"), "raivo-otp-export.json", "raivo-otp-export.html"],
                       cwd=tmp, check=True)
        shutil.copy(os.path.join(tmp, "raivo-otp-export.json"), os.path.join(out, "raivo-otp-export.json"))

    def archive(members):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for name, data in members:
                z.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 29, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    bomb = archive([("Accounts.txt", bytes(17 << 20))])
    open(os.path.join(hostile, "zip-bomb-declared.zip"), "wb").write(bomb)
    # Rewrite the uncompressed size (local header offset 22, central directory offset 24) to 1 000.
    lying = bytearray(bomb)
    lying[22:26] = struct.pack("<I", 1000)
    central = lying.rfind(b"PK\x01\x02")
    lying[central + 24:central + 28] = struct.pack("<I", 1000)
    open(os.path.join(hostile, "zip-bomb-lying.zip"), "wb").write(bytes(lying))
    many = archive([(f"note-{i}.txt", b"x") for i in range(64)] + [("Accounts.txt", b"")])
    open(os.path.join(hostile, "zip-65-members.zip"), "wb").write(many)
    # An unencrypted Accounts.txt whose second line is 70 000 bytes, longer than any URI may be.
    long_line = archive([("Accounts.txt", ("otpauth://totp/GitHub:octo?secret=" + b32(ACCOUNTS[0][3])
                                           + "&issuer=GitHub\n" + "otpauth://totp/x?secret=" + "A" * 70000
                                           + "\n").encode())])
    open(os.path.join(hostile, "zip-overlong-line.zip"), "wb").write(long_line)


def totp_authenticator():
    """A TOTP Authenticator backup (password "fixture password"): SHA-256 of the password keys AES-256-CBC with a zero
    IV over `{"<account list as JSON>": "<time>"}`, Base64 text, as the app's real backup is laid out."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    tokens = [{"issuer": "GitHub", "name": "octo@example.com", "key": ACCOUNTS[0][3].hex().upper(), "base": 16,
               "digits": "6", "period": "30"},
              {"issuer": "AWS", "name": "root@123456789012", "key": ACCOUNTS[1][3].hex().upper(), "base": 16,
               "digits": "8", "period": "60"}]
    plain = json.dumps({json.dumps(tokens, separators=(",", ":")): "1700000000"}, separators=(",", ":")).encode()
    padder = padding.PKCS7(128).padder()
    body = padder.update(plain) + padder.finalize()
    key = hashlib.sha256(b"fixture password").digest()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    with open(os.path.join(ROOT, "exports", "totp-authenticator.bin"), "w") as f:
        f.write(base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode())


def freeotp_backup():
    """A FreeOTP 2 backup (password "fixture password"): a Java-serialised HashMap<String,String> written here from the
    Java Object Serialization Specification (stream magic, HashMap's class descriptor, the capacity/size block, then
    TC_STRING keys and values); the master key sealed with AES-GCM under PBKDF2-HMAC-SHA512, each token's secret
    sealed under the master key, the associated data the key's algorithm name, as FreeOTP 2 writes them."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    own = random.Random(2)
    take = lambda n: bytes(own.getrandbits(8) for _ in range(n))
    signed = lambda b: [x - 256 if x > 127 else x for x in b]

    def sealed(key, plain, token, wrapped):
        nonce = take(12)
        # DER: SEQUENCE { OCTET STRING nonce, INTEGER 16 } (the older Android form is the bare OCTET STRING).
        params = (b"\x30\x11\x04\x0c" + nonce + b"\x02\x01\x10") if wrapped else (b"\x04\x0c" + nonce)
        return {"mCipher": "AES/GCM/NoPadding", "mCipherText": signed(AESGCM(key).encrypt(nonce, plain, token.encode())),
                "mParameters": signed(params), "mToken": token}

    salt, master = take(32), take(32)
    derived = PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=1000).derive(b"fixture password")
    entries = [("masterKey", json.dumps({"mAlgorithm": "PBKDF2withHmacSHA512",
                                         "mEncryptedKey": sealed(derived, master, "AES", True),
                                         "mIterations": 1000, "mSalt": signed(salt)}, separators=(",", ":")))]
    tokens = [("5a7e1c4e-0000-4000-8000-000000000001", ACCOUNTS[0], "HmacSHA1", True),
              ("5a7e1c4e-0000-4000-8000-000000000002", ACCOUNTS[2], "HmacSHA1", False)]
    for uuid_, (kind, issuer, name, secret, algo, digits, period, counter), token, wrapped in tokens:
        fields = {"algo": algo, "digits": digits, "issuerExt": issuer, "issuerInt": issuer, "label": name,
                  "type": kind.upper()}
        if kind == "hotp":
            fields["counter"] = counter
        else:
            fields["period"] = period
        entries.append((uuid_ + "-token", json.dumps(fields, separators=(",", ":"))))
        entries.append((uuid_, json.dumps({"key": json.dumps(sealed(master, secret, token, wrapped),
                                                             separators=(",", ":"))}, separators=(",", ":"))))

    def jstring(text):
        data = text.encode()
        return b"\x74" + struct.pack(">H", len(data)) + data

    out = b"\xac\xed\x00\x05"  # STREAM_MAGIC, STREAM_VERSION
    out += b"\x73\x72" + jstring("java.util.HashMap")[1:]  # TC_OBJECT, TC_CLASSDESC, class name
    out += struct.pack(">Q", 0x0507DAC1C31660D1) + b"\x03"  # serialVersionUID, SC_WRITE_METHOD | SC_SERIALIZABLE
    out += struct.pack(">H", 2) + b"F" + jstring("loadFactor")[1:] + b"I" + jstring("threshold")[1:]
    out += b"\x78\x70"  # TC_ENDBLOCKDATA, no superclass (TC_NULL)
    out += struct.pack(">fI", 0.75, 12)  # field values
    out += b"\x77\x08" + struct.pack(">II", 16, len(entries))  # TC_BLOCKDATA: capacity, size
    for key, value in entries:
        out += jstring(key) + jstring(value)
    out += b"\x78"
    with open(os.path.join(ROOT, "exports", "freeotp-backup.xml"), "wb") as f:
        f.write(out)


if __name__ == "__main__":
    exports()
    batch()
    stratum()
    ente()
    totp_authenticator()
    freeotp_backup()
    proton()
    andotp_old()
    zips()
    bitwarden_protected()
