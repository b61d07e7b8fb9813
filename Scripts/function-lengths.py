#!/usr/bin/env python3
"""House rules on size (issue 23), checked in CI by Scripts/lint.sh:
  - no function or initialiser longer than 80 lines anywhere (Sources, Tests, Fuzz);
  - every command's run() in Sources/otp at most 25 lines (the command parses, calls one use case, prints);
  - Sources/otp at most LIMIT lines in all (the application lives in the libraries).
A function's length is counted from its declaration to its closing brace (braces in strings and // comments
ignored). Usage: Scripts/function-lengths.py [--report]   (--report lists the longest functions, exits 0)."""
import os, re, sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|private|fileprivate|internal|static|'
                  r'mutating|override|final|nonisolated|@discardableResult|class)\s+)*(func\s+[\w`]+|init[?!]?)\s*[<(]')
FUNCTION_LIMIT, RUN_LIMIT, CLI_LIMIT = 80, 25, int(os.environ.get("CLI_LIMIT", "3480"))


def functions(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            lines = open(path, encoding="utf-8").read().split("\n")
            for i, line in enumerate(lines):
                match = DECL.match(line)
                if not match:
                    continue
                depth, started, j = 0, False, i
                for j in range(i, len(lines)):
                    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[j]).split("//")[0]
                    for c in code:
                        if c == "{":
                            depth, started = depth + 1, True
                        elif c == "}":
                            depth -= 1
                    if (started and depth <= 0) or (not started and j > i + 15):
                        break
                if started:
                    yield j - i + 1, path, i + 1, match.group(1)


def main():
    found = [f for root in ("Sources", "Tests", "Fuzz/Sources") if os.path.isdir(root) for f in functions(root)]
    if "--report" in sys.argv:
        for n, path, line, name in sorted(found, reverse=True)[:20]:
            print(f"{n:4} {path}:{line} {name}")
        return 0
    problems = [f"{p}:{l}: {name} is {n} lines (at most {FUNCTION_LIMIT})" for n, p, l, name in found
                if n > FUNCTION_LIMIT]
    problems += [f"{p}:{l}: run() is {n} lines (a command's run() is at most {RUN_LIMIT})" for n, p, l, name in found
                 if p.startswith("Sources/otp/") and name == "func run" and n > RUN_LIMIT]
    cli = sum(len(open(os.path.join(d, f), encoding="utf-8").read().split("\n")) - 1
              for d, _, fs in os.walk("Sources/otp") for f in fs if f.endswith(".swift"))
    if cli > CLI_LIMIT:
        problems.append(f"Sources/otp is {cli} lines (at most {CLI_LIMIT}: move rules into the libraries)")
    print("\n".join(problems) if problems else f"function lengths: clean (Sources/otp {cli} lines)")
    return 1 if problems else 0


sys.exit(main())
