#!/usr/bin/env python3
"""URI conformance: runs `otp check --json` over ../shared/corpus/uri-vectors.json and compares verdicts, fields
and asserted codes with the vectors' expectations (which record where other libraries disagree).

    python3 Scripts/conformance-uri.py [PATH/TO/otp] [--corpus DIR]

Prints how many verdicts, field sets and codes agree, then one line per disagreement with a reason. Where we
disagree on purpose (DESIGN.md's rules differ from the vector's source), the reason says which rule. Skips (exit
0) when the corpus is absent.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("otp", nargs="?", default=os.path.join(here, "..", ".build", "release", "otp"))
ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
args = ap.parse_args()
path = os.path.join(args.corpus, "uri-vectors.json")
if not os.path.exists(path):
    print(f"skip: {path} not found")
    sys.exit(0)
vectors = json.load(open(path))["vectors"]

# Decisions of DESIGN.md that differ from some sources on purpose.
KNOWN = {
    "duplicate-parameter": "DESIGN.md: a parameter given twice is an error",
    "counter-missing": "DESIGN.md: HOTP requires a counter",
    "secret-bad-length": "RFC 4648: a Base32 length of 1, 3 or 6 past a multiple of 8 cannot encode whole bytes",
    "secret-not-base32": "DESIGN.md: the secret must be RFC 4648 Base32",
    "digits-out-of-range": "DESIGN.md: digits 6…10",
    "account-empty": "DESIGN.md: the account name must not be empty",
    "unsupported-algorithm": "DESIGN.md: SHA1, SHA256 or SHA512 only, never a silent fallback",
    "period-out-of-range": "DESIGN.md: period 1…86400 (a clamped period would give other codes than the issuer's)",
}
FIELD_REASONS = {
    "issuer": "DESIGN.md: the label splits at the first ':' or '%3A'",
}


def check(uri):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(uri + "\n")
        name = f.name
    try:
        p = subprocess.run([args.otp, "check", "--json", name], capture_output=True, text=True, timeout=60)
        return json.loads(p.stdout)
    finally:
        os.unlink(name)


def code(uri, c):
    extra = ["--at", str(c["unix"])] if "unix" in c else []
    if "counter" in c:
        # HOTP vectors assert absolute counters: rewrite the counter parameter.
        import re
        uri = re.sub(r"([?&])counter=\d+", lambda m: f"{m.group(1)}counter={c['counter']}", uri)
    p = subprocess.run([args.otp, "code", "--json", "--from", "-", *extra], input=uri + "\n", capture_output=True, text=True)
    try:
        return json.loads(p.stdout)[0]["codes"][0]["code"]
    except Exception:
        return None


verdicts = fields = codes_ok = codes_total = fields_total = 0
disagreements = []
for v in vectors:
    uri, expect = v["uri"], v.get("expect")
    result = check(uri)
    if not result:
        disagreements.append((uri, "no result from otp check"))
        continue
    r = result[0]
    errors = [d["code"] for d in r["diagnostics"] if d["severity"] == "error"]
    if r["valid"] == v["valid"]:
        verdicts += 1
    else:
        reason = "; ".join(KNOWN.get(e, e) for e in errors) if errors else "we accept it: " + v.get("error", "")
        disagreements.append((uri, f"verdict: source says {'valid' if v['valid'] else 'invalid'}, we say "
                                   f"{'valid' if r['valid'] else 'invalid'} ({reason})"))
    if expect and r["account"]:
        fields_total += 1
        a = r["account"]
        steam = a.get("encoder") == "steam"
        ours = {"type": "steam" if steam and expect.get("type") == "steam" else a["type"], "issuer": a["issuer"],
                "account": a["account"], "algorithm": a["algorithm"], "digits": a["digits"],
                "period": a["period"], "counter": a["counter"]}
        theirs = {k: expect.get(k) for k in ours}
        if expect.get("secret_hex") and a["secretBits"] != len(expect["secret_hex"]) * 4:
            disagreements.append((uri, f"secret: {a['secretBits']} bits, expected {len(expect['secret_hex']) * 4}"))
        diff = {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}
        if diff:
            why = FIELD_REASONS.get("issuer") if "issuer" in diff or "account" in diff else ""
            disagreements.append((uri, "fields: " + ", ".join(f"{k} ours={o!r} expected={t!r}" for k, (o, t) in diff.items())
                                  + (f" ({why})" if why else "")))
        else:
            fields += 1
    if r["valid"]:
        for c in v.get("codes", []):
            codes_total += 1
            got = code(uri, c)
            if got == c["code"]:
                codes_ok += 1
            else:
                disagreements.append((uri, f"code at {c}: ours {got}, expected {c['code']}"))

print(f"verdicts agree: {verdicts}/{len(vectors)}")
print(f"fields agree:   {fields}/{fields_total} (vectors both sides parse)")
print(f"codes agree:    {codes_ok}/{codes_total} (asserted codes of URIs we accept)")
for uri, reason in disagreements:
    short = uri if len(uri) <= 100 else uri[:97] + "..."
    print(f"- {short}\n    {reason}")
