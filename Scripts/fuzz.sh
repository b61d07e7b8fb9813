#!/usr/bin/env bash
# libFuzzer targets of Fuzz/ (built with --sanitize=fuzzer --sanitize=address).
#   Scripts/fuzz.sh run [SECONDS] [TARGET...]  mutate for SECONDS per target (default 600), starting from the
#                                             committed corpus; new inputs go to .build-fuzz-corpus/, crashes to
#                                             Fuzz/Regressions/TARGET/ (commit them with the fix)
#   Scripts/fuzz.sh replay                    run every committed corpus and regression file once (CI)
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
targets_all=(FuzzScan FuzzJPEG FuzzWebP FuzzHEIF FuzzURI FuzzMigration FuzzTextInputs FuzzVaultRecords FuzzSealedBox
  FuzzPostgresAnswers FuzzXWD FuzzTeamRecord)
mode=${1:-replay}
# Swift 6.3's driver passes -sanitize=fuzzer to the frontend without coverage: every Swift library would be built
# blind (libFuzzer saw only the fuzz target's own 67 counters). The coverage kinds libFuzzer uses are asked for here.
flags=(-c release --sanitize=fuzzer --sanitize=address
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp)
swift build "${flags[@]}" 2>&1 | grep -vE "Cannot export local symbol|^\[" || true
bin=$(swift build "${flags[@]}" --show-bin-path)
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
# A Swift trap (SIGILL) goes to libFuzzer, which writes the input to Regressions/, not to Swift's backtracer.
export SWIFT_BACKTRACE=enable=no
# Swift libraries built without coverage counters make every target mutate blind (libFuzzer then sees only the
# target's own ~70): refuse such a build. Every target links OTPCrypto.
counters=$( (readelf -SW "$bin"/OTPCrypto.build/*.o 2>/dev/null || true) | grep -c __sancov_cntrs || true)
if [ "$counters" -eq 0 ]; then
  echo "fuzz: the Swift libraries were built without coverage counters"; exit 1
fi
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
