/*
** tests/unit/test_track.c -- the keys of tracking tokens during a rotation
** camp's Message-IDs, contact tokens and websites' token_auth (runtime/track.c).
*/
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include "runtime/message.h"
#include "runtime/track.h"
#include "tests/unit/test.h"

int main(void) {
  /* key lists: the current key first, items trimmed, empty and repeated ones dropped */
  char **k = campTrackKeys("key-2", " key-0, key-1,,key-2 ,key-1,a-long-one");
  CHECK(k != NULL);
  const char *want[] = { "key-2", "key-0", "key-1", "a-long-one" };
  int n = 0;
  while (k && k[n]) n++;
  CHECK_EQ_INT(n, 4);
  for (int i = 0; i < 4 && i < n; i++) CHECK_EQ_STR(k[i], want[i]);
  char tok[64];
  int64_t trace;
  uint32_t link;
  campTrackToken("key-1", 'o', 42, 0, tok);
  CHECK_EQ_INT(campTrackVerifyAny((const char *const *)k, 'o', tok, &trace, &link), 2);
  CHECK_EQ_INT(trace, 42);
  campTrackToken("key-2", 'o', 42, 0, tok);
  CHECK_EQ_INT(campTrackVerifyAny((const char *const *)k, 'o', tok, &trace, &link), 0);
  campTrackToken("key-3", 'o', 42, 0, tok);
  CHECK_EQ_INT(campTrackVerifyAny((const char *const *)k, 'o', tok, &trace, &link), -1);
  campTrackKeysFree(k);
  k = campTrackKeys("only", NULL);
  CHECK(k && !strcmp(k[0], "only") && !k[1]);
  campTrackKeysFree(k);
  /* two keys sharing their first 300 bytes are two keys */
  char a[320], b[320];
  memset(a, 'x', 319); a[319] = 0;
  memcpy(b, a, sizeof b); b[318] = 'y';
  campTrackToken(a, 'r', 7, 1, tok);
  CHECK_EQ_INT(campTrackVerify(a, 'r', tok, &trace, &link), 0);
  CHECK_EQ_INT(campTrackVerify(b, 'r', tok, &trace, &link), -1);

  /* Message-IDs: t<trace>.<16 hex of HMAC-SHA256(secret, "mid:<trace>")>@camp */
  char mid[96], other[96], expect[96];
  CHECK_EQ_INT(campTrackMessageId("db-secret-a", 17, mid, sizeof mid), 0);
  uint8_t m[32];
  unsigned mlen = 0;
  HMAC(EVP_sha256(), "db-secret-a", 11, (const uint8_t *)"mid:17", 6, m, &mlen);
  snprintf(expect, sizeof expect, "t17.%02x%02x%02x%02x%02x%02x%02x%02x@camp", m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
  CHECK_EQ_STR(mid, expect);
  CHECK_EQ_INT(campTrackMessageId("db-secret-b", 17, other, sizeof other), 0);
  CHECK(strcmp(mid, other) != 0);                       /* another database, another ID */
  CHECK_EQ_INT(campTrackMessageId("db-secret-a", 18, other, sizeof other), 0);
  CHECK(strcmp(mid + 3, other + 3) != 0);               /* the next trace's MAC part differs */
  CHECK_EQ_INT(campTrackMessageId("db-secret-a", 17, other, sizeof other), 0);
  CHECK_EQ_STR(other, mid);                             /* stable */
  CHECK_EQ_INT(campTrackMessageId("db-secret-a", 17, other, 10), -1);   /* too small: refused */
  /* a thread keeps a few keyed states: going round more keys than it keeps,
  ** in any order, every MAC is still HMAC-SHA256 under its own key */
  const char *ring[] = { "k0", "k1", "db-secret-a", "k3", "a key longer than sixty-four bytes, which HMAC hashes before using it", "k5" };
  int wrong = 0;
  for (int i = 0; i < 60; i++) {
    const char *key = ring[(i * 7 + i / 6) % 6];
    char got[96], want2[96];
    char payload[32];
    int plen = snprintf(payload, sizeof payload, "mid:%d", i);
    HMAC(EVP_sha256(), key, (int)strlen(key), (const uint8_t *)payload, (size_t)plen, m, &mlen);
    snprintf(want2, sizeof want2, "t%d.%02x%02x%02x%02x%02x%02x%02x%02x@camp", i, m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
    campTrackMessageId(key, i, got, sizeof got);
    wrong += strcmp(got, want2) != 0;
  }
  CHECK_EQ_INT(wrong, 0);

  /* contact tokens: (model, record, expiry) round-trip under the key that
  ** signed them, among a rotation's keys; anything altered, or another
  ** key, verifies as nothing */
  char ct[CAMP_CONTACT_TOKEN_SIZE], model[CAMP_CONTACT_MODEL_MAX + 1];
  int64_t rec = 0, exp = 0;
  CHECK_EQ_INT(campTrackContactToken("kB", "contact", 42, 1800000000, ct), 0);
  char **ck = campTrackKeys("kA", "kB");
  CHECK_EQ_INT(campTrackContactVerify((const char *const *)ck, ct, model, &rec, &exp), 1);
  CHECK_EQ_STR(model, "contact");
  CHECK(rec == 42 && exp == 1800000000);
  char bad[CAMP_CONTACT_TOKEN_SIZE];
  memcpy(bad, ct, sizeof bad);
  bad[3] = bad[3] == 'A' ? 'B' : 'A';                    /* one character changed */
  CHECK_EQ_INT(campTrackContactVerify((const char *const *)ck, bad, model, &rec, &exp), -1);
  char **other2 = campTrackKeys("kC", "kA");
  CHECK_EQ_INT(campTrackContactVerify((const char *const *)other2, ct, model, &rec, &exp), -1);   /* other keys */
  campTrackKeysFree(other2);
  CHECK_EQ_INT(campTrackContactVerify((const char *const *)ck, "", model, &rec, &exp), -1);
  CHECK_EQ_INT(campTrackContactVerify((const char *const *)ck, "not a token!", model, &rec, &exp), -1);
  char longName[80];
  memset(longName, 'm', 64);
  longName[64] = 0;                                       /* one byte over the longest model name */
  CHECK_EQ_INT(campTrackContactToken("kA", longName, 1, 1, ct), -1);
  CHECK_EQ_STR(ct, "");
  longName[63] = 0;
  CHECK_EQ_INT(campTrackContactToken("kA", longName, INT64_MAX, INT64_MAX, ct), 0);
  CHECK(strlen(ct) < CAMP_CONTACT_TOKEN_SIZE);
  CHECK_EQ_INT(campTrackContactVerify((const char *const *)ck, ct, model, &rec, &exp), 0);
  CHECK(rec == INT64_MAX && !strcmp(model, longName));
  campTrackKeysFree(ck);

  /* a website's token_auth: 32 hex digits, per key and per site */
  char au[33], au2[33];
  CHECK_EQ_INT(campTrackSiteAuth("kA", "shop-1", au), 0);
  CHECK_EQ_INT((int)strlen(au), 32);
  CHECK_EQ_INT(campTrackSiteAuth("kA", "shop-2", au2), 0);
  CHECK(strcmp(au, au2) != 0);
  CHECK_EQ_INT(campTrackSiteAuth("kB", "shop-1", au2), 0);
  CHECK(strcmp(au, au2) != 0);
  CHECK_EQ_INT(campTrackSiteAuth("kA", "shop-1", au2), 0);
  CHECK_EQ_STR(au, au2);
  return TEST_END();
}
