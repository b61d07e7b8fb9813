#!/usr/bin/env bash
# libFuzzer targets of Fuzz/ (built with --sanitize=fuzzer --sanitize=address).
#   Scripts/fuzz.sh run [SECONDS] [TARGET...]  mutate for SECONDS per target (default 600), starting from the
#                                             committed corpus; new inputs go to .build-fuzz-corpus/, crashes to
#                                             Fuzz/Regressions/TARGET/ (commit them with the fix)
#   Scripts/fuzz.sh replay                    run every committed corpus and regression file once (CI)
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
targets_all=(FuzzScan FuzzJPEG FuzzWebP FuzzHEIF FuzzURI FuzzMigration FuzzTextInputs FuzzVaultRecords FuzzSealedBox)
mode=${1:-replay}
swift build -c release --sanitize=fuzzer --sanitize=address 2>&1 | grep -vE "Cannot export local symbol|^\[" || true
bin=$(swift build -c release --sanitize=fuzzer --sanitize=address --show-bin-path)
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
case "$mode" in
  replay)
    for t in "${targets_all[@]}"; do
      files=$( (find "Corpus/$t" "Regressions/$t" -type f ! -name .gitkeep 2>/dev/null || true) | sort)
      [ -z "$files" ] && continue
      n=$(echo "$files" | wc -l)
      # One run per file, no mutation: a fixed crash stays fixed.
      if ! "$bin/$t" -rss_limit_mb=2048 -timeout=20 $files > "/tmp/fuzz-replay-$t.log" 2>&1; then
        tail -30 "/tmp/fuzz-replay-$t.log"; echo "fuzz replay: $t FAILED"; exit 1
      fi
      echo "fuzz replay: $t ok ($n files)"
    done ;;
  run)
    seconds=${2:-600}; shift $(( $# > 1 ? 2 : 1 ))
    targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=("${targets_all[@]}")
    for t in "${targets[@]}"; do
      work="../.build-fuzz-corpus/$t"; mkdir -p "$work" "Regressions/$t"
      cp -n "Corpus/$t"/* "$work/" 2>/dev/null || true
      echo "== $t for $seconds s"
      "$bin/$t" "$work" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="Regressions/$t/" -print_final_stats=1 2>&1 | tee "/tmp/fuzz-$t.log" | grep -E "^#[0-9]+ *(DONE|pulse)|stat::|ERROR|SUMMARY|Test unit written" || true
    done ;;
  *) echo "usage: $0 run [SECONDS] [TARGET...] | replay"; exit 64 ;;
esac
