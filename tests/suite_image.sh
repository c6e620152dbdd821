#!/bin/sh
# tests/suite_image.sh -- crafted images: `camp disasm` (and every other
# reader) goes through the validating loader, so an image whose operands
# point past their tables is refused with one line and exit 1, never a
# crash -- even with a correct SHA-256, even where no path of the block
# reaches the bad instruction (the disassembler lists every instruction).
# The images are made by tests/fuzz/craft_image.py from a compiled example.
set -u
. tests/lib.sh

"$CAMP" compile examples/welcome_flow.camp -o "$D/good.campc" > /dev/null 2>&1 || bad "compile of the example failed"
"$CAMP" disasm "$D/good.campc" > "$D/out" 2>&1; check "the good image lists" "$?" 0
$PY tests/fuzz/craft_image.py "$D/good.campc" "$D/bad" || bad "craft_image.py failed"
# a re-sealed copy of the good image is still good (the crafting is faithful)
cp "$D/good.campc" "$D/resealed.campc"
$PY tests/fuzz/craft_image.py --fix-hash "$D/resealed.campc"
cmp -s "$D/good.campc" "$D/resealed.campc" && ok || bad "--fix-hash changed a good image"

# corrupted CASE PATTERN: camp disasm on $D/bad/case.campc exits 1 with one line matching PATTERN
corrupted() {
  f=$D/bad/$1.campc
  [ -f "$f" ] || { bad "$1: not crafted"; return; }
  "$CAMP" disasm "$f" > "$D/out" 2> "$D/err"; rc=$?
  check "$1: exit status" "$rc" 1
  check "$1: nothing listed" "$(wc -c < "$D/out" | tr -d ' ')" 0
  case $(cat "$D/err") in "camp disasm: $f: "$2) ok ;; *) bad "$1: message: $(head -c 400 "$D/err")" ;; esac
  check "$1: one line" "$(wc -l < "$D/err" | tr -d ' ')" 1
}
corrupted const_after_ret    "image is corrupted (block 0: constant 4294967280 of * at 2)"
corrupted const_jumped_over  "image is corrupted (block 0: constant 4294967280 of * at 5)"
corrupted const_reached      "image is corrupted (block 0: constant 4294967280 of * at 0)"
corrupted field_after_ret    "image is corrupted (block 0: field 4294967280 out of range at 2)"
corrupted field_jumped_over  "image is corrupted (block 0: field 4294967280 out of range at 5)"
corrupted field_reached      "image is corrupted (block 0: field 4294967280 out of range at 0)"
corrupted field_one_past     "image is corrupted (block 0: field * out of range at 0)"
corrupted call_after_ret     "image is corrupted (block 0: native 65535 of * at 3)"
corrupted action_after_ret   "image is corrupted (block 0: native 65535 of * at 2)"
corrupted call_reached       "image is corrupted (block 0: native 65535 of * at 1)"
check "every crafted case was tried" "$(ls "$D/bad" | wc -l | tr -d ' ')" 10

# the fuzzer's finds (tests/fuzz/corpus_image, inputs of fuzz_image_hash):
# sealed with a right hash, each lists or is refused in one line, never a crash
for f in tests/fuzz/corpus_image/*; do
  [ -f "$f" ] || continue
  cp "$f" "$D/find.campc"
  $PY tests/fuzz/craft_image.py --fix-hash "$D/find.campc"
  "$CAMP" disasm "$D/find.campc" > /dev/null 2> "$D/err"; rc=$?
  case $rc in 0) ok ;; 1) check "$(basename "$f"): refused in one line" "$(wc -l < "$D/err" | tr -d ' ')" 1 ;;
    *) bad "$(basename "$f"): camp disasm exited $rc: $(head -c 300 "$D/err")" ;; esac
done

# junk is refused by its magic
printf 'not an image' > "$D/junk.campc"
"$CAMP" disasm "$D/junk.campc" > /dev/null 2> "$D/err"; rc=$?
check "junk: exit 1, says so" "$rc|$(cat "$D/err")" "1|camp disasm: $D/junk.campc: not a camp image (bad magic)"
finish
