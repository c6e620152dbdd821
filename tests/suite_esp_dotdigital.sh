#!/bin/sh
# tests/suite_esp_dotdigital.sh -- the Dotdigital fake against the published
# v2 reference, and camp's Dotdigital driver against the fake.
#
# 1. tests/esp/dotdigital_check.py walks every endpoint the driver calls and
#    compares paths, statuses and shapes with the table it transcribes from
#    Dotdigital's swagger; the same check against a fake started with
#    --break ROUTE must fail (a test of the test).
# 2. tests/esp/test_esp_dotdigital.c, built here from $BUILD/libcamp.a the
#    way the Makefile builds unit tests (it needs the fake, so it is not one),
#    drives campEspDotdigital against a fresh fake: open (account-info's
#    ApiEndpoint, the book found or created, data fields), members (paging),
#    apply (deletes in batches, one CSV import polled to its end, faults per
#    member), statuses, campaigns, activity totals, create/send/state, a
#    429/500 storm.
set -u
. tests/lib.sh
CHECK=tests/esp/dotdigital_check.py
FAKE=tests/esp/dotdigital_fake.py

# -- 1. the fake against the reference ----------------------------------------
out=$($PY $CHECK 2>&1); rc=$?
last=$(printf '%s\n' "$out" | tail -n 1)
if [ $rc -eq 0 ]; then ok "the fake matches the reference ($last)"; else bad "the fake matches the reference" "$out"; fi
for route in "GET /v2/account-info" "GET /v2/address-books/{addressBookId}/contacts" \
             "GET /v2/contacts/import/{importId}" "GET /v2/contacts/import/{importId}/report-faults" \
             "GET /v2/campaigns/{campaignId}/activities"; do
  out=$($PY $CHECK --break "$route" 2>&1); rc=$?
  if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q '^FAIL'; then ok "a fake broken on $route fails the check"
  else bad "a fake broken on $route fails the check" "$(printf '%s\n' "$out" | tail -n 3)"; fi
done

# -- 2. the driver against the fake -------------------------------------------
LIB=$BUILD/libcamp.a
HARNESS=$BUILD/esp/test_esp_dotdigital
[ -f "$LIB" ] || abort "no $LIB: run make first"
mkdir -p "$BUILD/esp"
SANFLAGS=
nm "$LIB" 2> /dev/null | grep -q '__asan_' && SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
LIBS="-lsqlite3 -lcurl -ljansson -lmicrohttpd -lcrypto -lm -lpthread $(pkg-config --libs gmime-3.0 libxml-2.0 libgit2 libpq)"
if ${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -I"$BUILD" -O1 -g -Wall -Wextra -Wno-unused-parameter $SANFLAGS \
     -o "$HARNESS" tests/esp/test_esp_dotdigital.c "$LIB" $LIBS > "$D/cc.log" 2>&1; then
  ok "the driver harness builds"
else
  bad "the driver harness builds" "$(head -n 20 "$D/cc.log")"; finish; exit 1
fi

DDUSER=apiuser-suite@apiconnector.com DDPASS=suite-secret
$PY $FAKE --port-file "$D/dd.port" --user "$DDUSER" --password "$DDPASS" 2> "$D/fake.log" &
started $!
wait_for test -s "$D/dd.port" || abort "the fake did not start: $(cat "$D/fake.log")"
PORT=$(cat "$D/dd.port")
out=$(CAMP_ESP_BACKOFF=0.01 CAMP_DOTDIGITAL_URL="http://127.0.0.1:$PORT" CAMP_DOTDIGITAL_USER="$DDUSER" \
      CAMP_DOTDIGITAL_PASSWORD="$DDPASS" timeout 300 "$HARNESS" 2>&1); rc=$?
last=$(printf '%s\n' "$out" | tail -n 1)
hp=$(printf '%s' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
hf=$(printf '%s' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
printf '%s\n' "$out" | grep -v '^#' | sed '$d'
if [ -z "$hp" ] || { [ $rc -ne 0 ] && [ "${hf:-0}" -eq 0 ]; }; then
  bad "the driver harness ran to its end (exit $rc)" "$(printf '%s\n' "$out" | tail -n 20)"
else
  pass=$((pass + hp)); fail=$((fail + hf))
  echo "driver against the fake: $last"
fi
finish
