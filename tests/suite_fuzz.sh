#!/bin/sh
# tests/suite_fuzz.sh -- build the two libFuzzer targets with clang and run
# each briefly over its seed corpus: fuzz_front (bytes -> check -> compile ->
# load -> disasm -> run; seeds: examples, golden inputs, earlier finds) and
# fuzz_image (bytes -> image loader -> disasm -> run; seeds: compiled
# examples).  A crash fails the suite and leaves the input in build/fuzz/ to
# be turned into a golden test.
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-20}
out=$BUILD/fuzz
mkdir -p "$out/corpus_front"
if ! command -v clang >/dev/null; then echo "clang missing"; echo "0 passed, 1 failed"; exit 1; fi
for t in front image; do
  clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. -I"$BUILD" -o "$out/fuzz_$t" tests/fuzz/fuzz_$t.c compiler/*.c runtime/program.c runtime/vm.c \
    stdlib/natives.c "$BUILD/lexer.c" -ljansson -lcrypto -lm 2>"$out/build_$t.log" \
    || { cat "$out/build_$t.log"; echo "0 passed, 1 failed"; exit 1; }
done
mkdir -p "$out/corpus_image"
cp tests/fuzz/corpus_image/* "$out/corpus_image/" 2>/dev/null
# seeds: every .camp the project has, plus committed finds
for f in examples/*.camp tests/golden/*/*.camp tests/fuzz/corpus_front/*; do
  [ -f "$f" ] && cp "$f" "$out/corpus_front/$(echo "$f" | tr '/' '_')"
done
cd "$out" || exit 1
pass=0; fail=0
for t in front image; do
  if ./fuzz_$t -max_total_time="$SECS" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix=./crash-$t- -print_final_stats=1 corpus_$t > fuzz_$t.log 2>&1; then
    echo "fuzz_$t: $(grep -E "stat::number_of_executed_units" fuzz_$t.log)"
    pass=$((pass + 1))
  else
    tail -n 40 fuzz_$t.log
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
