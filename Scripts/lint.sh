#!/usr/bin/env bash
# House rules as a tool: swift-format's lint (.swift-format, --strict), no line over 120 columns, and the size rules of
# Scripts/function-lengths.py (functions, commands' run(), the command layer).
#   Scripts/lint.sh          check (CI)
#   Scripts/lint.sh --fix    format in place first
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Sources Tests Fuzz/Sources Fuzz/Package.swift Benchmarks/Benchmarks Package.swift)
if [ "${1:-}" = "--fix" ]; then swift format format -i -r "${paths[@]}"; fi
swift format lint --strict -r "${paths[@]}"
# Columns are characters, not bytes (awk would count the bytes of "→" and "…").
python3 - Sources Tests Fuzz/Sources Benchmarks/Benchmarks <<'PY'
import pathlib, sys
long = [f"{p}:{n}: {len(l)} columns" for root in sys.argv[1:] for p in sorted(pathlib.Path(root).rglob("*.swift"))
        for n, l in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if len(l) > 120]
print("\n".join(long))
sys.exit(1 if long else 0)
PY
python3 Scripts/function-lengths.py
echo "lint: clean"
