/*
** runtime/track.c -- tracking tokens and tracked links.
**
** Owns: signing and verifying tokens (HMAC-SHA256 under the database's
** secret or $CAMP_SECRET, from OpenSSL's libcrypto), the keys a token may
** verify under during a rotation, camp's Message-IDs (unguessable: a MAC
** of the trace id under the database's secret) and rewriting links in HTML
** and SMS text to tracked URLs plus the open pixel.  A token carries its
** kind, the trace id and the link index; forging, altering or swapping any
** of them breaks the MAC.
** Does not own: what a hit records (serve.c and the store).
*/
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/message.h"
#include "runtime/opcodes.h"
#include "runtime/track.h"

#define MAC_BYTES 12                  /* 96 bits of MAC: forgery is hopeless */
#define MID_MAC_BYTES 8               /* 64 bits in a Message-ID: it must match the stored one exactly */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t encode(const uint8_t *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    out[o++] = b64[v >> 18 & 63];
    out[o++] = b64[v >> 12 & 63];
    if (i + 1 < n) out[o++] = b64[v >> 6 & 63];
    if (i + 2 < n) out[o++] = b64[v & 63];
  }
  out[o] = 0;
  return o;
}

static int decode(const char *in, uint8_t *out, size_t max) {
  size_t n = strlen(in), o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    const char *p = memchr(b64, in[i], 64);
    if (!p || !in[i]) return -1;
    acc = acc << 6 | (uint32_t)(p - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == max) return -1;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  if (bits >= 6 || (acc & ((1u << bits) - 1))) return -1;   /* non-canonical tail */
  return (int)o;
}

/* payload: kind(1) trace(8) link(4).  HMAC-SHA256 (RFC 2104) with the
** keyed inner and outer SHA-256 digests set up once per secret and thread
** (the tracking server verifies on many) and copied for each token: the
** copy costs a fraction of what duplicating an EVP_MAC context does, which
** was a third of a message's cost before.  A thread keeps the states of its
** last few keys (a run signs tokens with $CAMP_SECRET and Message-IDs with
** the database's secret; a server may verify under previous keys): keying
** costs more than a token, so alternating keys must not re-key each time.
** A thread's states are freed when the thread ends. */
#define MAC_SLOTS 4

typedef struct MacSlot { EVP_MD_CTX *inner, *outer; char *secret; unsigned long used; } MacSlot;
typedef struct MacState { MacSlot slot[MAC_SLOTS]; EVP_MD_CTX *work; unsigned long clock; } MacState;

static pthread_key_t macKey;
static pthread_once_t macOnce = PTHREAD_ONCE_INIT;

static void forgetSlot(MacSlot *k) {
  if (k->secret) OPENSSL_cleanse(k->secret, strlen(k->secret));
  free(k->secret);
  k->secret = NULL;
}

static void freeMacState(void *p) {
  MacState *m = p;
  for (int i = 0; i < MAC_SLOTS; i++) {
    EVP_MD_CTX_free(m->slot[i].inner);
    EVP_MD_CTX_free(m->slot[i].outer);
    forgetSlot(&m->slot[i]);
  }
  EVP_MD_CTX_free(m->work);
  free(m);
}

static void makeMacKey(void) { pthread_key_create(&macKey, freeMacState); }

/* The digest of a key block XORed with pad, to go on from. */
static int keyed(EVP_MD_CTX *c, const uint8_t key[64], uint8_t pad) {
  uint8_t block[64];
  for (int i = 0; i < 64; i++) block[i] = key[i] ^ pad;
  int ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, block, 64);
  OPENSSL_cleanse(block, sizeof block);
  return ok;
}

/* This thread's keyed states for secret: a slot that holds it (the whole
** key compared: two may share a long prefix), else the least recently used
** slot keyed anew.  NULL when out of memory or OpenSSL failed. */
static MacSlot *slotFor(MacState *st, const char *secret) {
  MacSlot *k = &st->slot[0];
  for (int i = 0; i < MAC_SLOTS; i++) {
    if (st->slot[i].secret && !strcmp(st->slot[i].secret, secret)) { k = &st->slot[i]; k->used = ++st->clock; return k; }
    if (st->slot[i].used < k->used) k = &st->slot[i];
  }
  forgetSlot(k);
  k->used = 0;
  if (!k->inner) k->inner = EVP_MD_CTX_new();
  if (!k->outer) k->outer = EVP_MD_CTX_new();
  if (!k->inner || !k->outer) return NULL;
  uint8_t key[64] = { 0 };
  size_t klen = strlen(secret);
  if (klen > 64) EVP_Digest(secret, klen, key, NULL, EVP_sha256(), NULL);   /* a long key is hashed first */
  else memcpy(key, secret, klen);
  int ok = keyed(k->inner, key, 0x36) && keyed(k->outer, key, 0x5c);
  OPENSSL_cleanse(key, sizeof key);
  if (!ok || !(k->secret = strdup(secret))) return NULL;
  k->used = ++st->clock;
  return k;
}

/* 0, or -1 when OpenSSL failed (out is then zeros, and no token verifies). */
static int mac(const char *secret, const uint8_t *payload, size_t n, uint8_t out[32]) {
  pthread_once(&macOnce, makeMacKey);
  MacState *st = pthread_getspecific(macKey);
  unsigned len = 0;
  memset(out, 0, 32);
  if (!st) {
    if (!(st = calloc(1, sizeof *st))) return -1;
    st->work = EVP_MD_CTX_new();
    pthread_setspecific(macKey, st);
  }
  MacSlot *k = st->work ? slotFor(st, secret) : NULL;
  if (!k) return -1;
  uint8_t h[32];
  if (!EVP_MD_CTX_copy_ex(st->work, k->inner) || !EVP_DigestUpdate(st->work, payload, n) || !EVP_DigestFinal_ex(st->work, h, &len) ||
      !EVP_MD_CTX_copy_ex(st->work, k->outer) || !EVP_DigestUpdate(st->work, h, 32) || !EVP_DigestFinal_ex(st->work, out, &len)) {
    memset(out, 0, 32);
    return -1;
  }
  return 0;
}

void campTrackToken(const char *secret, char kind, int64_t trace, uint32_t link, char out[64]) {
  uint8_t buf[13 + MAC_BYTES], m[32];
  buf[0] = (uint8_t)kind;
  for (int i = 0; i < 8; i++) buf[1 + i] = (uint8_t)((uint64_t)trace >> (8 * i));
  for (int i = 0; i < 4; i++) buf[9 + i] = (uint8_t)(link >> (8 * i));
  mac(secret, buf, 13, m);
  memcpy(buf + 13, m, MAC_BYTES);
  encode(buf + 1, sizeof buf - 1, out);   /* the kind is implied by the URL path */
}

int campTrackVerify(const char *secret, char kind, const char *token, int64_t *trace, uint32_t *link) {
  uint8_t buf[13 + MAC_BYTES + 1], m[32];
  if (strlen(token) > 40) return -1;
  if (decode(token, buf + 1, sizeof buf - 1) != 12 + MAC_BYTES) return -1;
  buf[0] = (uint8_t)kind;
  if (mac(secret, buf, 13, m) < 0 || CRYPTO_memcmp(m, buf + 13, MAC_BYTES) != 0) return -1;
  uint64_t t = 0;
  uint32_t l = 0;
  for (int i = 0; i < 8; i++) t |= (uint64_t)buf[1 + i] << (8 * i);
  for (int i = 0; i < 4; i++) l |= (uint32_t)buf[9 + i] << (8 * i);
  *trace = (int64_t)t;
  *link = l;
  return 0;
}

int campTrackVerifyAny(const char *const *keys, char kind, const char *token, int64_t *trace, uint32_t *link) {
  for (int i = 0; keys && keys[i]; i++)
    if (campTrackVerify(keys[i], kind, token, trace, link) == 0) return i;
  return -1;
}

/* payload: 'c' expires(8) record(8) model; the token is base64url of
** everything after the kind, then MAC_BYTES of the MAC. */
int campTrackContactToken(const char *secret, const char *model, int64_t record, int64_t expires, char out[CAMP_CONTACT_TOKEN_SIZE]) {
  size_t ml = strlen(model);
  uint8_t buf[17 + CAMP_CONTACT_MODEL_MAX + MAC_BYTES], m[32];
  out[0] = 0;
  if (ml == 0 || ml > CAMP_CONTACT_MODEL_MAX) return -1;
  buf[0] = 'c';
  for (int i = 0; i < 8; i++) buf[1 + i] = (uint8_t)((uint64_t)expires >> (8 * i));
  for (int i = 0; i < 8; i++) buf[9 + i] = (uint8_t)((uint64_t)record >> (8 * i));
  memcpy(buf + 17, model, ml);
  if (mac(secret, buf, 17 + ml, m) < 0) return -1;
  memcpy(buf + 17 + ml, m, MAC_BYTES);
  encode(buf + 1, 16 + ml + MAC_BYTES, out);
  return 0;
}

int campTrackContactVerify(const char *const *keys, const char *token, char model[CAMP_CONTACT_MODEL_MAX + 1], int64_t *record,
                           int64_t *expires) {
  uint8_t buf[17 + CAMP_CONTACT_MODEL_MAX + MAC_BYTES + 1], m[32];
  if (strlen(token) >= CAMP_CONTACT_TOKEN_SIZE) return -1;
  int n = decode(token, buf + 1, sizeof buf - 1);
  if (n < 16 + 1 + MAC_BYTES) return -1;
  size_t ml = (size_t)n - 16 - MAC_BYTES;
  buf[0] = 'c';
  int key = -1;
  for (int i = 0; keys && keys[i] && key < 0; i++)
    if (mac(keys[i], buf, 17 + ml, m) == 0 && CRYPTO_memcmp(m, buf + 17 + ml, MAC_BYTES) == 0) key = i;
  if (key < 0) return -1;
  uint64_t e = 0, r = 0;
  for (int i = 0; i < 8; i++) e |= (uint64_t)buf[1 + i] << (8 * i);
  for (int i = 0; i < 8; i++) r |= (uint64_t)buf[9 + i] << (8 * i);
  memcpy(model, buf + 17, ml);
  model[ml] = 0;
  *record = (int64_t)r;
  *expires = (int64_t)e;
  return key;
}

int campTrackSiteAuth(const char *secret, const char *siteId, char out[33]) {
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(siteId);
  uint8_t *buf = malloc(5 + n), m[32];
  out[0] = 0;
  if (!buf) return -1;
  memcpy(buf, "auth:", 5);
  memcpy(buf + 5, siteId, n);
  int rc = mac(secret, buf, 5 + n, m);
  free(buf);
  if (rc < 0) return -1;
  for (int i = 0; i < 16; i++) { out[2 * i] = hex[m[i] >> 4]; out[2 * i + 1] = hex[m[i] & 15]; }
  out[32] = 0;
  return 0;
}

char **campTrackKeys(const char *current, const char *more) {
  size_t n = 3, bytes = strlen(current) + 1 + (more ? strlen(more) + 1 : 0);
  for (const char *p = more; p && *p; p++) n += *p == ',';   /* current, one per item, NULL */
  char **keys = malloc(n * sizeof *keys + bytes);
  if (!keys) return NULL;
  char *text = (char *)(keys + n);
  size_t k = 0;
  keys[k++] = strcpy(text, current);
  text += strlen(current) + 1;
  for (const char *p = more; p && *p;) {
    size_t len = strcspn(p, ",");
    while (len && (*p == ' ' || *p == '\n')) { p++; len--; }
    size_t l = len;
    while (l && (p[l - 1] == ' ' || p[l - 1] == '\n')) l--;
    int dup = !l;
    for (size_t i = 0; i < k && !dup; i++) dup = strlen(keys[i]) == l && !strncmp(keys[i], p, l);
    if (!dup) { memcpy(text, p, l); text[l] = 0; keys[k++] = text; text += l + 1; }
    p += len;
    if (*p == ',') p++;
  }
  keys[k] = NULL;
  return keys;
}

void campTrackKeysFree(char **keys) {
  if (!keys) return;
  for (int i = 0; keys[i]; i++) OPENSSL_cleanse(keys[i], strlen(keys[i]));
  free(keys);
}

int campTrackMessageId(const char *secret, int64_t trace, char *out, size_t size) {
  char payload[32];
  uint8_t m[32];
  int n = snprintf(payload, sizeof payload, "mid:%lld", (long long)trace);
  if (mac(secret, (const uint8_t *)payload, (size_t)n, m) < 0) { if (size) out[0] = 0; return -1; }
  static const char digits[] = "0123456789abcdef";  /* one per message: no snprintf per byte */
  char hex[2 * MID_MAC_BYTES + 1];
  for (int i = 0; i < MID_MAC_BYTES; i++) { hex[2 * i] = digits[m[i] >> 4]; hex[2 * i + 1] = digits[m[i] & 15]; }
  hex[2 * MID_MAC_BYTES] = 0;
  int w = snprintf(out, size, "t%lld.%s@camp", (long long)trace, hex);
  return w < 0 || (size_t)w >= size ? -1 : 0;
}

/* -- link rewriting ---------------------------------------------------------
**
** Rendered templates carry each value between CAMP_VALUE_OPEN and
** CAMP_VALUE_CLOSE (runtime/opcodes.h), bytes that never occur in UTF-8.  Only
** links the campaign's author wrote are tracked: a link inside a value is
** copied as it is, and a link whose scheme or host comes from a value
** (href="{{ url }}", https://{{ host }}/) is never rewritten; one whose
** path or query holds a value (https://shop.example/c/{{ id }}) is, with
** the value in its target.  The marks are stripped from the output. */

#define OPEN ((unsigned char)CAMP_VALUE_OPEN)
#define CLOSE ((unsigned char)CAMP_VALUE_CLOSE)

/* s points just past an OPEN: the byte after the value's CLOSE. */
static const char *valueEnd(const char *s) {
  const char *e = strchr(s, CLOSE);
  return e ? e + 1 : s + strlen(s);
}

/* s[0..n) without its marks. */
static void putUnmarked(Buf *out, const char *s, size_t n) {
  for (size_t i = 0, k = 0; i <= n; i++)
    if (i == n || (unsigned char)s[i] == OPEN || (unsigned char)s[i] == CLOSE) { campBufPut(out, s + k, i - k); k = i + 1; }
}

/* Scheme and host written by the author: http(s)://, then no value before
** the path, query or fragment starts. */
static int authorsLink(const char *url, size_t n) {
  size_t k = n > 7 && !strncasecmp(url, "http://", 7) ? 7 : n > 8 && !strncasecmp(url, "https://", 8) ? 8 : 0;
  if (!k) return 0;
  for (size_t i = k; i < n; i++) {
    if ((unsigned char)url[i] == OPEN) return 0;
    if (url[i] == '/' || url[i] == '?' || url[i] == '#' || url[i] == '\\') return 1;
  }
  return 1;
}

/* The target an HTML attribute's text names: its character references
** (&amp; &#39; ...) decoded, as a browser would follow it. */
static void decodeRefs(Buf *out, const char *s, size_t n) {
  static const struct { const char *ref; char c; } named[] = {
    { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' } };
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '&') { campBufPut(out, s + i, 1); continue; }
    size_t k;
    for (k = 0; k < sizeof named / sizeof named[0]; k++) {
      size_t len = strlen(named[k].ref);
      if (len <= n - i && !strncasecmp(s + i, named[k].ref, len)) { campBufPut(out, &named[k].c, 1); i += len - 1; break; }
    }
    if (k < sizeof named / sizeof named[0]) continue;
    if (i + 2 < n && s[i + 1] == '#') {           /* &#39; &#x27; (ASCII only) */
      int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
      size_t j = i + 2 + (size_t)hex;
      long v = 0;
      while (j < n && (hex ? isxdigit((unsigned char)s[j]) : isdigit((unsigned char)s[j])) && v < 256)
        v = v * (hex ? 16 : 10) + (isdigit((unsigned char)s[j]) ? s[j] - '0' : (tolower((unsigned char)s[j]) - 'a' + 10)), j++;
      if (j < n && s[j] == ';' && v > 0x20 && v < 0x7f) { char c = (char)v; campBufPut(out, &c, 1); i = j; continue; }
    }
    campBufPut(out, s + i, 1);
  }
}

/* Register a link the author wrote and put its tracked URL, or put it as
** it is (without marks) when it comes from a value or is left untracked. */
static void putLink(Buf *out, const char *url, size_t n, int html, const char *base, const char *secret,
                    int64_t trace, TrackLinkFn onLink, void *ctx) {
  uint32_t i = UINT32_MAX;
  if (authorsLink(url, n) && !memchr(url, OPEN, n) && !memchr(url, CLOSE, n) && !(html && memchr(url, '&', n))) {
    i = onLink(ctx, url, n);                   /* the common case: the author's link as written */
  } else if (authorsLink(url, n)) {
    Buf target = { 0 }, plain = { 0 };
    putUnmarked(&plain, url, n);
    if (html) decodeRefs(&target, plain.p ? plain.p : "", plain.n);
    const Buf *t = html ? &target : &plain;
    if (!t->oom && t->p) i = onLink(ctx, t->p, t->n);
    campBufFree(&target);
    campBufFree(&plain);
  }
  if (i == UINT32_MAX) { putUnmarked(out, url, n); return; }
  char tok[64];
  campTrackToken(secret, 'r', trace, i, tok);
  campBufPrintf(out, "%s/r/%s", base, tok);
}

/* Bytes at which the scanners below stop: marks, and the first letters of
** what they look for. */
static unsigned char stopHtml[256], stopText[256];
static pthread_once_t stopOnce = PTHREAD_ONCE_INIT;
static void makeStops(void) {
  stopHtml[0] = stopText[0] = 1;
  stopHtml[OPEN] = stopHtml[CLOSE] = stopText[OPEN] = stopText[CLOSE] = 1;
  stopHtml['h'] = stopHtml['H'] = stopHtml['<'] = 1;
  stopText['h'] = 1;
}

int campTrackUnmarked(const char *s, Buf *out) {
  putUnmarked(out, s, strlen(s));
  return out->oom ? -1 : 0;
}

int campTrackHtml(const char *html, const char *base, const char *secret, int64_t trace,
                  TrackLinkFn onLink, void *ctx, Buf *out) {
  char tok[64];
  const char *p = html, *lit = html;
  int pixel = 0;
  pthread_once(&stopOnce, makeStops);
  for (;;) {
    while (!stopHtml[(unsigned char)*p]) p++;
    if (!*p) break;
    unsigned char c = (unsigned char)*p;
    if (c == OPEN || c == CLOSE) {               /* a value: copied, never scanned */
      campBufPut(out, lit, (size_t)(p - lit));
      if (c == OPEN) { const char *e = valueEnd(p + 1); putUnmarked(out, p + 1, (size_t)(e - p - 1)); p = e; }
      else p++;
      lit = p;
    } else if (c == '<') {
      if (!pixel && !strncasecmp(p, "</body>", 7)) {
        campBufPut(out, lit, (size_t)(p - lit));
        campTrackToken(secret, 'o', trace, 0, tok);
        campBufPrintf(out, "<img src=\"%s/o/%s\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">", base, tok);
        pixel = 1;
        lit = p;
      }
      p++;
    } else if (!strncasecmp(p, "href=", 5)) {
      const char *v = p + 5;
      char q = (*v == '"' || *v == '\'') ? *v : 0;
      const char *start = q ? v + 1 : v, *end = start;
      while (*end && (q ? *end != q : (*end != ' ' && *end != '>')))
        end = (unsigned char)*end == OPEN ? valueEnd(end + 1) : end + 1;
      campBufPut(out, lit, (size_t)(start - lit));
      putLink(out, start, (size_t)(end - start), 1, base, secret, trace, onLink, ctx);
      p = lit = end;
    } else p++;
  }
  campBufPut(out, lit, (size_t)(p - lit));
  if (!pixel) {
    campTrackToken(secret, 'o', trace, 0, tok);
    campBufPrintf(out, "<img src=\"%s/o/%s\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">", base, tok);
  }
  return out->oom ? -1 : 0;
}

int campTrackText(const char *text, const char *base, const char *secret, int64_t trace,
                  TrackLinkFn onLink, void *ctx, Buf *out) {
  const char *p = text, *lit = text;
  pthread_once(&stopOnce, makeStops);
  for (;;) {
    while (!stopText[(unsigned char)*p]) p++;
    if (!*p) break;
    unsigned char c = (unsigned char)*p;
    if (c == OPEN || c == CLOSE) {
      campBufPut(out, lit, (size_t)(p - lit));
      if (c == OPEN) { const char *e = valueEnd(p + 1); putUnmarked(out, p + 1, (size_t)(e - p - 1)); p = e; }
      else p++;
      lit = p;
    } else if (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8)) {
      const char *end = p;
      while (*end && *end != ' ' && *end != '\n' && *end != '\t' && *end != '"' && *end != '<')
        end = (unsigned char)*end == OPEN ? valueEnd(end + 1) : end + 1;
      while (end > p && strchr(".,;:!?)", end[-1])) end--;     /* sentence punctuation stays text */
      campBufPut(out, lit, (size_t)(p - lit));
      putLink(out, p, (size_t)(end - p), 0, base, secret, trace, onLink, ctx);
      p = lit = end;
    } else p++;
  }
  campBufPut(out, lit, (size_t)(p - lit));
  return out->oom ? -1 : 0;
}
