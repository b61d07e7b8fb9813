#!/usr/bin/env python3
"""Independent readers for `otp export`: (1) the encrypted Aegis export is decrypted with Python's `hashlib.scrypt`
and `cryptography`'s AES-GCM (no code of ours), following Aegis's docs/vault.md, and every entry is compared with
the same accounts exported as otpauth URIs; (2) the Google transfer QR images (`--format google`) are read by
zxing-cpp and their payloads decoded by Python's `protobuf` from the published schema.

    Scripts/conformance-aegis-export.py [PATH/TO/otp]      (pip install cryptography zxing-cpp pillow protobuf)
"""
import base64, hashlib, json, os, subprocess, sys, tempfile, urllib.parse
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OTP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".build", "release", "otp")
URIS = [
    "otpauth://totp/Example:sha1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
    "otpauth://totp/Example:sha256?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&issuer=Example&algorithm=SHA256&digits=8&period=60",
    "otpauth://totp/Example:sha512?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA512&digits=8",
    "otpauth://hotp/Counter:h?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=Counter&counter=42",
    "otpauth://totp/Steam:s?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DQ&issuer=Steam&encoder=steam",
]


def run(args, env, stdin=None):
    return subprocess.run([OTP] + args, env=env, input=stdin, capture_output=True, text=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, OTP_VAULT=os.path.join(tmp, "v.sqlite"), OTP_PASSPHRASE="conformance")
        assert run(["import", "--create", "-"], env, "\n".join(URIS) + "\n").returncode == 0
        open(os.path.join(tmp, "pw"), "w").write("export password\n")
        enc = os.path.join(tmp, "enc.json")
        r = run(["export", "--format", "aegis", "--encrypt", "--export-passphrase-file", os.path.join(tmp, "pw"), "-o", enc], env)
        assert r.returncode == 0, r.stderr
        uris = run(["export", "--format", "uri", "-o", "-"], env).stdout.split()
        vault = json.load(open(enc))
        slot = vault["header"]["slots"][0]
        kek = hashlib.scrypt(b"export password", salt=bytes.fromhex(slot["salt"]), n=slot["n"], r=slot["r"],
                             p=slot["p"], maxmem=256 * 1024 * 1024, dklen=32)
        master = AESGCM(kek).decrypt(bytes.fromhex(slot["key_params"]["nonce"]),
                                     bytes.fromhex(slot["key"]) + bytes.fromhex(slot["key_params"]["tag"]), None)
        params = vault["header"]["params"]
        db = json.loads(AESGCM(master).decrypt(bytes.fromhex(params["nonce"]),
                                               base64.b64decode(vault["db"]) + bytes.fromhex(params["tag"]), None))
        mismatches = 0
        for uri, entry in zip(uris, db["entries"]):
            u = urllib.parse.urlsplit(uri)
            q = dict(urllib.parse.parse_qsl(u.query))
            want = {"type": "steam" if q.get("encoder") == "steam" else u.netloc, "issuer": q.get("issuer"),
                    "secret": q["secret"], "algo": q.get("algorithm", "SHA1"),
                    "digits": 5 if q.get("encoder") == "steam" else int(q.get("digits", 6))}
            got = {"type": entry["type"], "issuer": entry["issuer"], "secret": entry["info"]["secret"],
                   "algo": entry["info"]["algo"], "digits": entry["info"]["digits"]}
            ok = want == got
            if u.netloc == "hotp":
                ok = ok and entry["info"]["counter"] == int(q["counter"])
            else:
                ok = ok and entry["info"]["period"] == int(q.get("period", 30))
            mismatches += not ok
            print(("ok   " if ok else "DIFF ") + entry["issuer"] + ": " + entry["name"], "" if ok else f"{want} != {got}")
        print(f"{len(db['entries'])} entries decrypted with Python's scrypt and AES-GCM; {mismatches} differ")
        failures = mismatches + (len(db["entries"]) != len(URIS))
        failures += google(tmp, env)
        sys.exit(1 if failures else 0)


def google(tmp, env):
    """The transfer QR images read by zxing-cpp, decoded by protobuf: the three accounts Google can hold."""
    import zxingcpp
    from PIL import Image
    sys.path.insert(0, os.path.dirname(__file__))
    import importlib
    vectors = importlib.import_module("make-migration-vectors")
    payload_class = vectors.build()
    folder = os.path.join(tmp, "google")
    r = run(["export", "--format", "google", "-o", folder], env)
    print(r.stderr.strip())
    names = []
    for image in sorted(os.listdir(folder)):
        results = zxingcpp.read_barcodes(Image.open(os.path.join(folder, image)))
        assert len(results) == 1, image
        data = urllib.parse.unquote(results[0].text.split("data=", 1)[1])
        message = payload_class()
        message.ParseFromString(base64.b64decode(data))
        names += [(p.issuer, p.name, p.type, p.algorithm, p.digits, p.counter) for p in message.otp_parameters]
        print(f"{image}: zxing-cpp read it; protobuf: batch {message.batch_index + 1} of {message.batch_size}, "
              f"{len(message.otp_parameters)} accounts")
    want = {("Example", "Example:sha1", 2, 1, 1, 0), ("Example", "Example:sha512", 2, 3, 2, 0),
            ("Counter", "Counter:h", 1, 1, 1, 42)}
    ok = set(names) == want
    print(("ok   " if ok else "DIFF ") + f"Google transfer accounts: {sorted(names)}")
    return 0 if ok else 1


if __name__ == "__main__":
    main()
