#!/bin/sh
# tests/suite_fuzz_front.sh -- build the front-end libFuzzer target with
# clang and run it briefly over a seed corpus (examples, golden inputs,
# earlier finds).  A crash fails the suite and leaves the input in
# build/fuzz/ to be turned into a golden test.
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-20}
out=$BUILD/fuzz
mkdir -p "$out/corpus_front"
if ! command -v clang >/dev/null; then echo "clang missing"; echo "0 passed, 1 failed"; exit 1; fi
clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I. -I"$BUILD" -o "$out/fuzz_front" tests/fuzz/fuzz_front.c compiler/*.c runtime/program.c runtime/vm.c \
  stdlib/natives.c "$BUILD/lexer.c" -ljansson -lcrypto -lm 2>"$out/build_front.log" \
  || { cat "$out/build_front.log"; echo "0 passed, 1 failed"; exit 1; }
# seeds: every .camp the project has, plus committed finds
for f in examples/*.camp tests/golden/*/*.camp tests/fuzz/corpus_front/*; do
  [ -f "$f" ] && cp "$f" "$out/corpus_front/$(echo "$f" | tr '/' '_')"
done
cd "$out" || exit 1
if ./fuzz_front -max_total_time="$SECS" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
     -artifact_prefix=./crash- -print_final_stats=1 corpus_front > fuzz_front.log 2>&1; then
  grep -E "stat::number_of_executed_units" fuzz_front.log
  echo "1 passed, 0 failed"
else
  tail -n 40 fuzz_front.log
  echo "0 passed, 1 failed"
  exit 1
fi
