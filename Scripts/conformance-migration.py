#!/usr/bin/env python3
"""Google Authenticator export conformance: every file of ../shared/corpus/migration that has a 'decoded'
expectation in expected.json must give exactly those accounts through `otp check --json`, and `otp code --from`
must give the codes their secrets give (computed here with Python's hmac, independently of otp).

    python3 Scripts/conformance-migration.py [PATH/TO/otp] [--corpus DIR]

WebP images are converted to PNG in a temporary folder first (needs Pillow). Skips when the corpus is absent.
"""
import argparse
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("otp", nargs="?", default=os.path.join(here, "..", ".build", "release", "otp"))
ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
args = ap.parse_args()
root = os.path.join(args.corpus, "migration")
if not os.path.exists(os.path.join(root, "expected.json")):
    print(f"skip: {root}/expected.json not found")
    sys.exit(0)
expected = json.load(open(os.path.join(root, "expected.json")))["files"]
tmp = tempfile.mkdtemp(prefix="otp-migration-")


def as_png(path):
    if not path.endswith(".webp"):
        return path
    try:
        from PIL import Image
    except ImportError:
        return None
    out = os.path.join(tmp, os.path.basename(path) + ".png")
    Image.open(path).convert("RGB").save(out)
    return out


def totp(secret_hex, algorithm, digits, t):
    mac = hmac.new(bytes.fromhex(secret_hex), struct.pack(">Q", t // 30), getattr(hashlib, algorithm.lower())).digest()
    o = mac[-1] & 15
    return str((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


def hotp(secret_hex, algorithm, digits, counter):
    mac = hmac.new(bytes.fromhex(secret_hex), struct.pack(">Q", counter), getattr(hashlib, algorithm.lower())).digest()
    o = mac[-1] & 15
    return str((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


files_ok = accounts_ok = accounts_total = 0
problems = []
checked = 0
for name, info in sorted(expected.items()):
    if "decoded" not in info:
        continue
    path = as_png(os.path.join(root, name))
    if path is None:
        problems.append((name, "skipped: Pillow is needed to convert WebP"))
        continue
    checked += 1
    want = []
    want_errors = 0
    plain = 0
    for part in info["decoded"]:
        if "error" in part:
            want_errors += 1
        if part.get("not_migration", "").startswith("otpauth://"):
            plain += 1
        for o in part.get("otp", []):
            want.append(o)
    p = subprocess.run([args.otp, "check", "--json", path], capture_output=True, text=True)
    got = json.loads(p.stdout) if p.stdout.strip() else []
    valid = [g for g in got if g["valid"] and "(account " in g["source"]]
    file_problems = []
    if "qr_payloads" in info:
        s = subprocess.run([args.otp, "scan", "--json", path], capture_output=True, text=True)
        payloads = json.loads(s.stdout)[0]["payloads"]
        if payloads != info["qr_payloads"]:
            file_problems.append(f"scan gave {len(payloads)} payload(s), not exactly the {len(info['qr_payloads'])} expected")
    if plain and sum(1 for g in got if g["valid"] and "(account " not in g["source"]) != plain:
        file_problems.append(f"expected {plain} plain otpauth URI(s) to be valid")
    if want_errors and not any(not g["valid"] for g in got):
        file_problems.append(f"expected {want_errors} undecodable payload(s), got none")
    if len(valid) != len(want):
        file_problems.append(f"{len(valid)} valid accounts, expected {len(want)}")
    codes = []
    c = subprocess.run([args.otp, "code", "--json", "--at", "1000000000", "--from", path], capture_output=True, text=True)
    try:
        codes = json.loads(c.stdout)[plain:] if not plain else []
    except Exception:
        pass
    for i, w in enumerate(want):
        accounts_total += 1
        if i >= len(valid):
            break
        a = valid[i]["account"]
        issuer = w["issuer"] or None
        account_name = w["name"]
        if issuer and account_name.startswith(issuer + ":"):
            account_name = account_name[len(issuer) + 1:].lstrip(" ")
        diffs = []
        for key, ours, theirs in [("issuer", a["issuer"], issuer), ("account", a["account"], account_name),
                                  ("algorithm", a["algorithm"], w["algorithm"]), ("digits", a["digits"], w["digits"]),
                                  ("type", a["type"], w["type"]), ("counter", a["counter"], w["counter"]),
                                  ("secretBits", a["secretBits"], len(w["secret_hex"]) * 4)]:
            if ours != theirs:
                diffs.append(f"{key} ours={ours!r} expected={theirs!r}")
        if i < len(codes):
            want_code = (hotp(w["secret_hex"], w["algorithm"], w["digits"], w["counter"]) if w["type"] == "hotp"
                         else totp(w["secret_hex"], w["algorithm"], w["digits"], 1000000000))
            if codes[i]["codes"][0]["code"] != want_code:
                diffs.append(f"code ours={codes[i]['codes'][0]['code']} expected={want_code} (secret differs)")
        else:
            diffs.append("no code generated")
        if diffs:
            file_problems.append(f"account {i + 1}: " + "; ".join(diffs))
        else:
            accounts_ok += 1
    if file_problems:
        problems += [(name, x) for x in file_problems]
    else:
        files_ok += 1
    print(f"{'ok  ' if not file_problems else 'FAIL'} {name}: {len(valid)} exported accounts, {plain} plain URI(s)"
          + (f", {want_errors} damaged payload(s) reported" if want_errors else ""))

print(f"files agree: {files_ok}/{checked}; accounts agree (fields and codes): {accounts_ok}/{accounts_total}")
for name, why in problems:
    print(f"- {name}: {why}")
sys.exit(1 if problems else 0)
