#!/bin/sh
# tests/suite_fuzz.sh -- build the libFuzzer targets with clang and run each
# briefly over its seed corpus:
#   fuzz_front       bytes -> check -> compile -> load -> disasm -> run
#                    (seeds: examples, golden inputs, earlier finds)
#   fuzz_image       bytes -> image loader -> disasm -> run (most mutations
#                    stop at the SHA-256 check: this one guards the header)
#   fuzz_image_hash  the same with the header made right for the body
#                    (length, SHA-256), so mutations reach the loader's
#                    validation, the disassembler and the VM
# Image seeds are compiled from examples/ into $BUILD/fuzz/corpus_image (plus
# the crafted images of tests/fuzz/craft_image.py and committed finds in
# tests/fuzz/corpus_image/).  Bounded for CI: each target runs at most
# FUZZ_SECONDS (20) seconds, fuzz_image_hash at most FUZZ_RUNS (100000)
# executions too.  A crash fails the suite and leaves the input in
# $BUILD/fuzz/crash-* to be turned into a test.  Prints each target's
# executions and the crashes found.
. tests/lib.sh
SECS=${FUZZ_SECONDS:-20}
RUNS=${FUZZ_RUNS:-100000}
out=$BUILD/fuzz
mkdir -p "$out/corpus_front" "$out/corpus_image"
command -v clang > /dev/null || abort "clang missing"
# the code under test compiled once (instrumented, on every core), then each
# target linked with libFuzzer's main
CFL="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=address,undefined -fno-sanitize-recover=undefined -I. -I$BUILD $(pkg-config --cflags glib-2.0)"
rm -rf "$out/obj" && mkdir -p "$out/obj"
printf '%s\n' compiler/*.c runtime/program.c runtime/vm.c runtime/opcodes.c runtime/clock.c runtime/buf.c runtime/natives.c \
    "$BUILD/lexer.c" |
  xargs -P "$(nproc)" -I SRC sh -c 'o="$2/obj/$(echo "$3" | tr / _).o"; clang $1 -fsanitize=fuzzer-no-link -c -o "$o" "$3" 2> "$o.log" || { cat "$o.log"; exit 1; }' \
    sh "$CFL" "$out" SRC > "$out/build_obj.log" 2>&1 || abort "$(cat "$out/build_obj.log")"
for t in front image image_hash; do
  src=tests/fuzz/fuzz_$t.c def=
  [ "$t" = image_hash ] && src=tests/fuzz/fuzz_image.c def=-DFUZZ_FIX_HASH
  clang $CFL $def -fsanitize=fuzzer -o "$out/fuzz_$t" "$src" "$out"/obj/*.o -ljansson -lcrypto -lm \
    $(pkg-config --libs glib-2.0) 2>"$out/build_$t.log" \
    || abort "$(cat "$out/build_$t.log")"
done
# image seeds: every example compiled (generated here, never committed), the
# crafted images, committed finds
seeds=0
for f in examples/*.camp; do
  n=$(basename "$f" .camp)
  "$CAMP" compile "$f" -o "$out/corpus_image/$n.campc" > /dev/null 2>&1 && seeds=$((seeds + 1))
done
[ -x /usr/bin/python3 ] && [ -f "$out/corpus_image/welcome_flow.campc" ] &&
  /usr/bin/python3 tests/fuzz/craft_image.py "$out/corpus_image/welcome_flow.campc" "$out/corpus_image/crafted" &&
  mv "$out/corpus_image/crafted/"*.campc "$out/corpus_image/" && rmdir "$out/corpus_image/crafted"
cp tests/fuzz/corpus_image/* "$out/corpus_image/" 2>/dev/null
# front seeds: every .camp the project has, plus committed finds
for f in examples/*.camp tests/golden/*/*.camp tests/fuzz/corpus_front/*; do
  [ -f "$f" ] && cp "$f" "$out/corpus_front/$(echo "$f" | tr '/' '_')"
done
cd "$out" || exit 1
[ "$seeds" -gt 0 ] && ok || bad "no image seeds compiled from examples/"
for t in front image image_hash; do
  corpus=corpus_$t limit=
  [ "$t" = image_hash ] && corpus=corpus_image limit=-runs=$RUNS
  # libFuzzer adds what it finds to the first directory: keep the generated seeds apart
  mkdir -p "new_$t"
  if ./fuzz_$t -max_total_time="$SECS" $limit -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix=./crash-$t- -print_final_stats=1 "new_$t" $corpus > fuzz_$t.log 2>&1; then
    echo "fuzz_$t: $(sed -n 's/^stat::number_of_executed_units: *//p' fuzz_$t.log) executions, $(sed -n 's/^stat::new_units_added: *//p' fuzz_$t.log) new inputs, 0 crashes"
    ok
  else
    echo "fuzz_$t: crashed; input: $(ls crash-$t-* 2>/dev/null | head -n 1)"
    tail -n 40 fuzz_$t.log
    bad "fuzz_$t"
  fi
done
finish
