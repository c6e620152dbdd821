/*
** runtime/track.c -- tracking tokens and tracked links.
**
** Owns: signing and verifying tokens (HMAC-SHA256 with CAMP_SECRET, from
** OpenSSL's libcrypto) and rewriting links in HTML and SMS text to tracked
** URLs plus the open pixel.  A token carries its kind, the trace id and the
** link index; forging, altering or swapping any of them breaks the MAC.
** Does not own: what a hit records (serve.c and the store).
*/
#define OPENSSL_SUPPRESS_DEPRECATED   /* SHA256_Init & co.: the only way to copy a keyed state cheaply */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/message.h"

#define MAC_BYTES 12                  /* 96 bits of MAC: forgery is hopeless */

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
** keyed inner and outer SHA-256 states set up once per secret and thread
** (the tracking server verifies on many) and copied for each token: the
** copy is a struct assignment, where OpenSSL's EVP_MAC duplicates a
** context on the heap -- a third of a message's cost before.  A thread's
** state is freed when the thread ends. */
typedef struct MacState { SHA256_CTX inner, outer; char keyedFor[256]; int keyed; } MacState;

static pthread_key_t macKey;
static pthread_once_t macOnce = PTHREAD_ONCE_INIT;

static void makeMacKey(void) { pthread_key_create(&macKey, free); }

static void mac(const char *secret, const uint8_t *payload, size_t n, uint8_t out[32]) {
  pthread_once(&macOnce, makeMacKey);
  MacState *st = pthread_getspecific(macKey);
  if (!st) {
    if (!(st = calloc(1, sizeof *st))) { memset(out, 0, 32); return; }
    pthread_setspecific(macKey, st);
  }
  if (!st->keyed || strncmp(st->keyedFor, secret, sizeof st->keyedFor)) {
    uint8_t key[64] = { 0 }, pad[64];
    size_t klen = strlen(secret);
    if (klen > 64) SHA256((const uint8_t *)secret, klen, key);
    else memcpy(key, secret, klen);
    for (int i = 0; i < 64; i++) pad[i] = key[i] ^ 0x36;
    SHA256_Init(&st->inner);
    SHA256_Update(&st->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = key[i] ^ 0x5c;
    SHA256_Init(&st->outer);
    SHA256_Update(&st->outer, pad, 64);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(pad, sizeof pad);
    snprintf(st->keyedFor, sizeof st->keyedFor, "%s", secret);
    st->keyed = 1;
  }
  SHA256_CTX c = st->inner;
  uint8_t h[32];
  SHA256_Update(&c, payload, n);
  SHA256_Final(h, &c);
  c = st->outer;
  SHA256_Update(&c, h, 32);
  SHA256_Final(out, &c);
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
  mac(secret, buf, 13, m);
  if (CRYPTO_memcmp(m, buf + 13, MAC_BYTES) != 0) return -1;
  uint64_t t = 0;
  uint32_t l = 0;
  for (int i = 0; i < 8; i++) t |= (uint64_t)buf[1 + i] << (8 * i);
  for (int i = 0; i < 4; i++) l |= (uint32_t)buf[9 + i] << (8 * i);
  *trace = (int64_t)t;
  *link = l;
  return 0;
}

static int trackable(const char *url, size_t n) {
  return (n > 7 && !strncasecmp(url, "http://", 7)) || (n > 8 && !strncasecmp(url, "https://", 8));
}

int campTrackHtml(const char *html, const char *base, const char *secret, int64_t trace,
                  TrackLinkFn onLink, void *ctx, Buf *out) {
  char tok[64];
  const char *p = html;
  for (;;) {
    const char *h = strcasestr(p, "href=");
    if (!h) break;
    const char *v = h + 5;
    char q = (*v == '"' || *v == '\'') ? *v : 0;
    const char *start = q ? v + 1 : v;
    const char *end = start;
    while (*end && (q ? *end != q : (*end != ' ' && *end != '>'))) end++;
    size_t n = (size_t)(end - start);
    uint32_t i = trackable(start, n) ? onLink(ctx, start, n) : UINT32_MAX;
    campBufPut(out, p, (size_t)(start - p));
    if (i == UINT32_MAX) campBufPut(out, start, n);
    else {
      campTrackToken(secret, 'r', trace, i, tok);
      campBufPrintf(out, "%s/r/%s", base, tok);
    }
    p = end;
  }
  const char *body = strcasestr(p, "</body>");
  size_t rest = body ? (size_t)(body - p) : strlen(p);
  campBufPut(out, p, rest);
  campTrackToken(secret, 'o', trace, 0, tok);
  campBufPrintf(out, "<img src=\"%s/o/%s\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">", base, tok);
  campBufPuts(out, p + rest);
  return out->oom ? -1 : 0;
}

int campTrackText(const char *text, const char *base, const char *secret, int64_t trace,
                  TrackLinkFn onLink, void *ctx, Buf *out) {
  char tok[64];
  const char *p = text;
  for (;;) {
    const char *a = strstr(p, "http://"), *b = strstr(p, "https://");
    const char *u = a && (!b || a < b) ? a : b;
    if (!u) break;
    const char *end = u;
    while (*end && *end != ' ' && *end != '\n' && *end != '\t' && *end != '"' && *end != '<') end++;
    while (end > u && strchr(".,;:!?)", end[-1])) end--;     /* sentence punctuation stays text */
    campBufPut(out, p, (size_t)(u - p));
    uint32_t i = onLink(ctx, u, (size_t)(end - u));
    if (i == UINT32_MAX) campBufPut(out, u, (size_t)(end - u));
    else { campTrackToken(secret, 'r', trace, i, tok); campBufPrintf(out, "%s/r/%s", base, tok); }
    p = end;
  }
  campBufPuts(out, p);
  return out->oom ? -1 : 0;
}
