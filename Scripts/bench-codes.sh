#!/usr/bin/env bash
# HOTP-SHA1 codes per second per core: otp's OTPGenerator (package-benchmark) against pyotp, in one run.
#   Scripts/bench-codes.sh        (needs: pip install pyotp)
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
swift package --allow-writing-to-package-directory benchmark --filter "HOTP.*|URI.*" --format markdown 2>/dev/null \
  | awk '/^### /{name=$0} /Time \(wall clock\)/{split($0,f,"|"); gsub(/ /,"",f[5]); printf "%s: p50 %s ns each → %.0f per second\n", substr(name,5), f[5], 1e9/f[5]}' \
  | tee /tmp/otp-codes.txt
python3 - <<'PY'
import re, timeit
import pyotp
secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
hotp = pyotp.HOTP(secret)
n = 200_000
t = min(timeit.repeat(lambda: [hotp.at(i) for i in range(1000)], number=n // 1000, repeat=5))
pyotp_rate = n / t
print(f"pyotp {pyotp.__version__ if hasattr(pyotp, '__version__') else ''} HOTP.at: {pyotp_rate:,.0f} per second")
parse_n = 20_000
uri = "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services"
tp = min(timeit.repeat(lambda: pyotp.parse_uri(uri), number=parse_n, repeat=5))
print(f"pyotp parse_uri: {parse_n / tp:,.0f} per second")
ours = dict(re.findall(r"^(.*?): p50 \S+ ns each → (\d+) per second", open("/tmp/otp-codes.txt").read(), re.M))
for name, rate in ours.items():
    if name.startswith("HOTP"):
        print(f"ratio {name} / pyotp: {int(rate) / pyotp_rate:.1f}x")
    if name.startswith("URI"):
        print(f"ratio {name} / pyotp parse_uri: {int(rate) / (parse_n / tp):.1f}x")
PY
