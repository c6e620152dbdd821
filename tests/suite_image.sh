#!/bin/sh
# tests/suite_image.sh -- crafted images: `camp disasm` (and every other
# reader) goes through the validating loader, so an image whose operands
# point past their tables is refused with one line and exit 1, never a
# crash -- even with a correct SHA-256, even where no path of the block
# reaches the bad instruction (the disassembler lists every instruction).
# The images are made by tests/fuzz/craft_image.py from a compiled example.
# And an image of an older version, as users' databases hold them, lists
# and runs as its source compiled today does (tests/image/).
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

# An image older than version 3 (tests/image/mailings_v2.hex: an image of
# version 2 written by an older camp from tests/image/mailings.camp) is
# upgraded as it loads: its mailings become the campaigns the compiler now
# emits.  It lists as the source compiled today does, but for the hash of
# its own bytes ...
$PY -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex("".join(open(sys.argv[1]).read().split())))' \
  tests/image/mailings_v2.hex "$D/v2.campc" || bad "cannot decode tests/image/mailings_v2.hex"
check "the fixture is an image of version 2" "$($PY -c 'import struct, sys; print(struct.unpack_from("<I", open(sys.argv[1], "rb").read(), 8)[0])' "$D/v2.campc")" 2
"$CAMP" disasm "$D/v2.campc" > "$D/v2.dis" 2>&1; check "the version 2 image lists" "$?" 0
# Since image version 4 a source says two things the old image meant
# otherwise: a filtered list keeps its contacted members unless it says
# `keep_contacted false` (before, nobody was kept), and a mailing without
# `at` waits for `camp send` (before, it was sent when started; old images
# keep that).  $D/mailings.camp is the source in today's terms (on the same lines: the
# line numbers stay): the list
# keeps nobody, and vip_note is sent at the time the runs below start it.
sed -e 's/^  where email is set and score >= 2$/& keep_contacted false/' \
    -e 's/^  to list vip$/& at 2026-01-05T10:00:00Z/' tests/image/mailings.camp > "$D/mailings.camp"
"$CAMP" disasm "$D/mailings.camp" > "$D/v3.dis" 2>&1; check "its source lists" "$?" 0
# (An image of version 4 also carries a list's filter as text, for deploy
# and plan to compare; older ones have none.)
sed 2d "$D/v2.dis" > "$D/v2.body"
sed -e 2d -e '/^    at       2026-01-05T10:00:00Z$/d' -e '/^    where    /d' "$D/v3.dis" > "$D/v3.body"
if cmp -s "$D/v2.body" "$D/v3.body"; then ok; else bad "the version 2 image lists otherwise than its source: $(diff "$D/v2.body" "$D/v3.body" | head -20)"; fi
check "each mailing is a campaign with one email, unique on the first email field" \
  "$(grep -c -e '^    campaign [12] activity [12]$' -e '^    unique   email$' "$D/v3.dis")" 4
# ... and runs as it does: the same records, the same clock, the same
# timeline and report, whether the database holds the image compiled today
# or the old one (what a database deployed by an older camp holds).
cat > "$D/records.csv" <<'CSV'
name,phone,email,backup,opt_out,score
Ada,,ada@x.test,,false,1
Bob,+33600000001,bob@x.test,,false,2
Cid,,cid@x.test,cid2@x.test,false,3
Dup,,BOB@x.test,,false,5
Eve,,,eve@x.test,false,4
Opt,,opt@x.test,,true,9
CSV
for db in new old; do
  "$CAMP" init --db "$D/$db.db" --clock 2026-01-05T09:00:00Z > /dev/null || bad "init $db"
  "$CAMP" deploy --db "$D/$db.db" "$D/mailings.camp" > /dev/null || bad "deploy $db"
  "$CAMP" import --db "$D/$db.db" --model contact "$D/records.csv" > /dev/null || bad "import $db"
done
hash=$($PY -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()[48:]).hexdigest())' "$D/v2.campc")
sqlite3 "$D/old.db" "UPDATE camp_version SET image = X'$(tr -d '\n' < tests/image/mailings_v2.hex)', hash = '$hash'"
check "the old database holds the old image" "$(sqlite3 "$D/old.db" "SELECT count(DISTINCT hash) || ' ' || min(hash) FROM camp_version")" "1 $hash"
for db in new old; do    # enlist fills the manual list before vip_note (sent when started) reads it
  "$CAMP" start --db "$D/$db.db" enlist > /dev/null && "$CAMP" run --db "$D/$db.db" --until 2026-01-05T10:00:00Z > /dev/null &&
    "$CAMP" start --db "$D/$db.db" news > /dev/null && "$CAMP" start --db "$D/$db.db" vip_note > /dev/null &&
    "$CAMP" run --db "$D/$db.db" --until 2026-01-08T00:00:00Z --mail "file:$D/$db.mail" > /dev/null 2> "$D/$db.err" || bad "run $db: $(cat "$D/$db.err")"
  # the Message-IDs' MACs masked: each database has its own secret
  "$CAMP" timeline --db "$D/$db.db" | sed 's/\(t[0-9]*\)\.[0-9a-f]\{16\}@camp/\1.MAC@camp/g' > "$D/$db.timeline"
  "$CAMP" report --db "$D/$db.db" --format json > "$D/$db.report"
done
check "mailings were sent (or canceled, or rejected: Eve has no email address)" "$(grep -c -e '^news record' -e '^vip_note record' "$D/new.timeline")" 7
check "a VIP without an email address is skipped, the trace says why" "$(grep -c '^vip_note record 5 .* rejected .*no email address' "$D/new.timeline")" 1
if cmp -s "$D/new.timeline" "$D/old.timeline"; then ok; else bad "the old image runs otherwise: $(diff "$D/new.timeline" "$D/old.timeline" | head -20)"; fi
if cmp -s "$D/new.report" "$D/old.report"; then ok; else bad "the old image reports otherwise: $(diff "$D/new.report" "$D/old.report" | head -20)"; fi

# junk is refused by its magic
printf 'not an image' > "$D/junk.campc"
"$CAMP" disasm "$D/junk.campc" > /dev/null 2> "$D/err"; rc=$?
check "junk: exit 1, says so" "$rc|$(cat "$D/err")" "1|camp disasm: $D/junk.campc: not a camp image (bad magic)"
finish
