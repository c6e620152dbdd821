/*
** runtime/collect.c -- the Matomo HTTP Tracking API, read into hits.
**
** Owns: decoding a tracking request (a query string, a form body, or a
** bulk {"requests": [...]}) under the limits (parameters, value sizes,
** bulk size), checking it (a deployed idsite, url, _id, e_v, cdt only
** with the site's token_auth), the hit's defaults (the event name, value,
** campaign code, source, medium, keyword -- spec: "Behaviour every part
** agrees on"), capping stored texts at a UTF-8 boundary, the user-agent
** class, IP anonymisation, and who a hit belongs to (a contact token, else
** the website's identify field, else anonymous); recording one hit in the
** writer's transaction.  Does not own: HTTP (serve.c), the tables
** (store_hit.c, store_website.c), visits (store_visit.c) or triggers
** (sched_visit.c).
*/
#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/clock.h"
#include "runtime/collect.h"
#include "runtime/sched.h"
#include "runtime/track.h"

#define URL_CAP 2048        /* bytes of a stored url or referrer */
#define TEXT_CAP 500        /* bytes of a stored title, event field, code */
#define UA_CAP 512          /* bytes of a stored user agent */
#define FUTURE_SLACK 60     /* seconds a cdt may be ahead of the clock */

/* -- parameters --------------------------------------------------------------- */

int campCollectParamsAdd(CollectParams *ps, const char *key, const char *value, char *err, size_t errSize) {
  if (ps->n == CAMP_COLLECT_PARAMS_MAX) {
    snprintf(err, errSize, "more than %d parameters", CAMP_COLLECT_PARAMS_MAX);
    return -1;
  }
  if (strlen(key) > CAMP_COLLECT_VALUE_MAX || strlen(value) > CAMP_COLLECT_VALUE_MAX) {
    snprintf(err, errSize, "parameter '%.40s' is longer than %d bytes", key, CAMP_COLLECT_VALUE_MAX);
    for (char *p = err; *p; p++) if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
    return -1;
  }
  if (ps->n == ps->cap) {
    size_t cap = ps->cap ? ps->cap * 2 : 16;
    CollectParam *p = realloc(ps->p, cap * sizeof *p);
    if (!p) { snprintf(err, errSize, "out of memory"); return -1; }
    ps->p = p;
    ps->cap = cap;
  }
  char *k = strdup(key), *v = strdup(value);
  if (!k || !v) { free(k); free(v); snprintf(err, errSize, "out of memory"); return -1; }
  ps->p[ps->n++] = (CollectParam){ k, v };
  return 0;
}

void campCollectParamsFree(CollectParams *ps) {
  for (size_t i = 0; i < ps->n; i++) { free(ps->p[i].key); free(ps->p[i].value); }
  free(ps->p);
  memset(ps, 0, sizeof *ps);
}

static int hexVal(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int campCollectPercentValid(const char *s) {
  for (; *s; s++)
    if (*s == '%') {
      if (hexVal(s[1]) < 0 || hexVal(s[2]) < 0) return 0;
      s += 2;
    }
  return 1;
}

/* s[0..n) decoded into a new string: '+' a space, %XX a byte (strict: -1
** for a bad escape or a NUL; lenient: a bad escape kept as it is). */
static char *decode(const char *s, size_t n, int strict) {
  char *out = malloc(n + 1), *o = out;
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++) {
    int hi = s[i] == '%' && i + 2 < n ? hexVal(s[i + 1]) : -1, lo = hi >= 0 ? hexVal(s[i + 2]) : -1;
    if (s[i] == '+') *o++ = ' ';
    else if (lo >= 0 && (hi || lo || !strict)) {
      *o++ = (char)(hi << 4 | lo);
      i += 2;
    } else if (s[i] == '%' && strict) {
      free(out);
      return NULL;
    } else *o++ = s[i];
  }
  *o = 0;
  return out;
}

int campCollectParamsParse(CollectParams *ps, const char *raw, size_t n, char *err, size_t errSize) {
  const char *p = raw, *end = raw + n;
  if (p < end && *p == '?') p++;
  while (p < end) {
    const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
    while (stop > p && (stop[-1] == '\n' || stop[-1] == '\r')) stop--;
    if (stop > p) {
      if ((size_t)(stop - p) > 3 * (CAMP_COLLECT_VALUE_MAX + 1) + 1) {
        snprintf(err, errSize, "a parameter is longer than %d bytes", CAMP_COLLECT_VALUE_MAX);
        return -1;
      }
      const char *eq = memchr(p, '=', (size_t)(stop - p));
      char *k = decode(p, (size_t)((eq ? eq : stop) - p), 1);
      char *v = eq ? decode(eq + 1, (size_t)(stop - eq - 1), 1) : strdup("");
      int rc = -1;
      if (!k || !v) snprintf(err, errSize, "malformed percent-encoding (a %% not followed by two hex digits, or %%00)");
      else rc = campCollectParamsAdd(ps, k, v, err, errSize);
      free(k);
      free(v);
      if (rc < 0) return -1;
    }
    p = amp ? amp + 1 : end;
  }
  return 0;
}

/* The last value of key, or NULL when absent or empty. */
static const char *get(const CollectParams *ps, const char *key) {
  for (size_t i = ps->n; i-- > 0;)
    if (!strcmp(ps->p[i].key, key)) return ps->p[i].value[0] ? ps->p[i].value : NULL;
  return NULL;
}

/* -- texts --------------------------------------------------------------------------- */

/* A copy of s (NULL: NULL) cut to at most max bytes at a UTF-8 character
** boundary. */
static char *capped(const char *s, size_t max) {
  if (!s) return NULL;
  size_t n = strlen(s);
  if (n > max) {
    n = max;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
  }
  return strndup(s, n);
}

/* The value of the first of names among the page URL's parameters (its
** query, then its fragment), decoded leniently; malloc'd, or NULL. */
static char *urlParam(const char *url, const char *const *names) {
  const char *q = strchr(url, '?'), *h = strchr(url, '#');
  for (const char *const *nm = names; *nm; nm++) {
    size_t nl = strlen(*nm);
    for (int part = 0; part < 2; part++) {
      const char *p = part ? h : q;
      if (!p) continue;
      const char *end = part || !h || h < p ? p + strlen(p) : h;
      for (p++; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nl && !strncasecmp(p, *nm, nl) && p[nl] == '=' && stop > p + nl + 1) {
          char *v = decode(p + nl + 1, (size_t)(stop - p - nl - 1), 0);
          char *c = v ? capped(v, TEXT_CAP) : NULL;
          free(v);
          return c;
        }
        p = amp ? amp + 1 : end;
      }
    }
  }
  return NULL;
}

/* "desktop", "mobile" or "bot" for a user agent: a bot says so (bot,
** crawl, spider, slurp, or a library or command-line client); a missing
** one is a bot too.  HeadlessChrome is a browser (the tests drive one). */
static const char *uaClass(const char *ua) {
  static const char *const bots[] = { "bot", "crawl", "spider", "slurp", "curl/", "wget", "python-requests", "python-urllib",
                                      "go-http-client", "java/", "libwww", "httpclient", "okhttp", "axios/", "node-fetch",
                                      "scrapy", "facebookexternalhit", "preview", "monitor", NULL };
  if (!ua || !*ua) return "bot";
  for (const char *const *b = bots; *b; b++)
    if (strcasestr(ua, *b)) return "bot";
  if (strstr(ua, "Mobi") || strstr(ua, "Android") || strstr(ua, "iPhone") || strstr(ua, "iPad")) return "mobile";
  return "desktop";
}

/* The peer's address as text, anonymised unless keep: IPv4 with its last
** octet 0, IPv6 with its last 80 bits 0 (an IPv4-mapped one as IPv4). */
static char *ipText(const struct sockaddr *sa, int keep) {
  char out[INET6_ADDRSTRLEN];
  if (!sa) return NULL;
  if (sa->sa_family == AF_INET6) {
    struct in6_addr a = ((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      struct in_addr v4;
      memcpy(&v4, a.s6_addr + 12, 4);
      if (!keep) ((unsigned char *)&v4)[3] = 0;
      return inet_ntop(AF_INET, &v4, out, sizeof out) ? strdup(out) : NULL;
    }
    if (!keep) memset(a.s6_addr + 6, 0, 10);
    return inet_ntop(AF_INET6, &a, out, sizeof out) ? strdup(out) : NULL;
  }
  if (sa->sa_family != AF_INET) return NULL;
  struct in_addr v4 = ((const struct sockaddr_in *)sa)->sin_addr;
  if (!keep) ((unsigned char *)&v4)[3] = 0;
  return inet_ntop(AF_INET, &v4, out, sizeof out) ? strdup(out) : NULL;
}

/* s for an error message: at most 64 bytes, printable ASCII ('?' else). */
static void shown(char *out, size_t size, const char *s) {
  size_t i = 0;
  for (; s[i] && i < 64 && i + 1 < size; i++) out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
  out[i] = 0;
}

/* -- one request ------------------------------------------------------------------------ */

/* Does token_auth open siteId under one of keys? */
static int authOk(const char *const *keys, const char *siteId, const char *token) {
  if (!token || strlen(token) != 32) return 0;
  for (int i = 0; keys && keys[i]; i++) {
    char want[33];
    if (campTrackSiteAuth(keys[i], siteId, want) == 0 && CRYPTO_memcmp(want, token, 32) == 0) return 1;
  }
  return 0;
}

/* cdt: Unix seconds (a fraction dropped) or an ISO 8601 / "YYYY-MM-DD
** HH:MM:SS" UTC time.  0, or -1. */
static int parseCdt(const char *s, int64_t *at) {
  const char *p = s;
  while (*p >= '0' && *p <= '9') p++;
  if (p > s && p - s <= 12 && (!*p || *p == '.')) {
    for (const char *f = *p ? p + 1 : p; *f; f++) if (*f < '0' || *f > '9') return -1;
    *at = strtoll(s, NULL, 10);
    return 0;
  }
  return campClockParseIso(s, at);
}

/* Who uid is for site w: a contact token under the keys (not expired at
** now, of the site's model when it has one), else the identify field's
** one record; h's model and record set, or note saying why not. */
static int resolveWho(const CollectContext *cx, const StoreSite *w, const char *uid, int64_t now, CollectHit *h,
                      char *err, size_t errSize) {
  char model[CAMP_CONTACT_MODEL_MAX + 1];
  int64_t record, expires;
  if (campTrackContactVerify(cx->keys, uid, model, &record, &expires) >= 0) {
    if (expires < now) snprintf(h->note, sizeof h->note, "uid: an expired contact token");
    else if (w->model && strcmp(model, w->model)) snprintf(h->note, sizeof h->note, "uid: a contact token of another model");
    else if (!(h->h.model = strdup(model))) { snprintf(err, errSize, "out of memory"); return -2; }
    else h->h.record = record;
    return 0;
  }
  if (!w->identify || !w->model) {
    snprintf(h->note, sizeof h->note, "uid: not a contact token (forged or unsigned)");
    return 0;
  }
  int64_t *ids = NULL;
  size_t n = 0;
  if (campStoreListFind(cx->e, w->model, w->identify, uid, &ids, &n, err, errSize) < 0) { free(ids); return -2; }
  if (n == 1 && (h->h.model = strdup(w->model))) h->h.record = ids[0];
  else if (n == 1) { free(ids); snprintf(err, errSize, "out of memory"); return -2; }
  else snprintf(h->note, sizeof h->note, "uid: not a contact token, and %s record's %s", n ? "more than one" : "not one", w->identify);
  free(ids);
  return 0;
}

void campCollectUrlCampaign(const char *url, char **code, char **source, char **medium, char **keyword) {
  static const char *const campaign[] = { "pk_campaign", "pk_cpn", "mtm_campaign", "mtm_cpn", "utm_campaign", NULL };
  static const char *const sources[] = { "pk_source", "mtm_source", "utm_source", NULL };
  static const char *const media[] = { "pk_medium", "mtm_medium", "utm_medium", NULL };
  static const char *const keywords[] = { "pk_kwd", "pk_keyword", "mtm_kwd", "mtm_keyword", "utm_term", NULL };
  *code = url ? urlParam(url, campaign) : NULL;
  *source = url ? urlParam(url, sources) : NULL;
  *medium = url ? urlParam(url, media) : NULL;
  *keyword = url ? urlParam(url, keywords) : NULL;
}

/* The texts of a hit from its parameters (the caller has checked them). */
static int fillTexts(const CollectContext *cx, const StoreSite *w, const CollectParams *ps, CollectHit *h) {
  WebHit *x = &h->h;
  const char *url = get(ps, "url"), *ec = get(ps, "e_c"), *ea = get(ps, "e_a"), *en = get(ps, "e_n");
  const char *ua = get(ps, "ua") ? get(ps, "ua") : cx->userAgent;
  x->url = capped(url, URL_CAP);
  x->title = capped(get(ps, "action_name"), TEXT_CAP);
  x->referrer = capped(get(ps, "urlref"), URL_CAP);
  x->category = capped(ec, TEXT_CAP);
  x->action = capped(ea, TEXT_CAP);
  x->name = capped(en ? en : ea ? ea : ec ? ec : "visit", TEXT_CAP);
  char *code, *source, *medium, *keyword;
  campCollectUrlCampaign(url, &code, &source, &medium, &keyword);
  if (get(ps, "_rcn")) { free(code); code = capped(get(ps, "_rcn"), TEXT_CAP); }
  if (get(ps, "_rck")) { free(keyword); keyword = capped(get(ps, "_rck"), TEXT_CAP); }
  if (!code && w->code) code = strdup(w->code);
  x->code = code, x->source = source, x->medium = medium, x->keyword = keyword;
  x->ua = capped(ua, UA_CAP);
  x->uaClass = uaClass(ua);
  x->ip = ipText(cx->peer, cx->keepIp);
  x->site = strdup(get(ps, "idsite"));
  if (get(ps, "_id") && !(x->visitor = strdup(get(ps, "_id")))) return -1;
  return x->url && x->name && x->site ? 0 : -1;
}

/* One request's hit: 1 (in *out), 0 (no rec=1: nothing), -1 refused
** (err), -2 database error (err). */
static int oneHit(const CollectContext *cx, const CollectParams *ps, CollectHit **out, char *err, size_t errSize) {
  const char *rec = get(ps, "rec"), *site = get(ps, "idsite"), *url = get(ps, "url"), *id = get(ps, "_id");
  const char *ev = get(ps, "e_v"), *cdt = get(ps, "cdt"), *uid = get(ps, "uid");
  char show[80];
  *out = NULL;
  if (!rec || strcmp(rec, "1")) return 0;
  if (!site) { snprintf(err, errSize, "idsite is missing"); return -1; }
  if (!url) { snprintf(err, errSize, "url is missing"); return -1; }
  if (id && (strlen(id) != 16 || strspn(id, "0123456789abcdefABCDEF") != 16)) {
    snprintf(err, errSize, "_id must be 16 hex digits");
    return -1;
  }
  char *end;
  double value = ev ? strtod(ev, &end) : 1;
  if (ev && (*end || end == ev || !isfinite(value))) { snprintf(err, errSize, "e_v must be a number"); return -1; }
  StoreSite w;
  int found = campStoreSiteFind(cx->e, site, &w, err, errSize);
  if (found < 0) return -2;
  shown(show, sizeof show, site);
  if (!found) { snprintf(err, errSize, "unknown idsite '%s': no deployed website has that site_id", show); return -1; }
  campEngineRefreshClock(cx->e);                /* a simulated clock moves under a running server */
  int64_t now = campEngineNow(cx->e), at = now;
  const char *bad = !cdt ? NULL
                  : !authOk(cx->keys, site, get(ps, "token_auth")) ? "cdt needs token_auth (the website's, from camp website auth)"
                  : parseCdt(cdt, &at) < 0 ? "cdt is not a time (Unix seconds or YYYY-MM-DD HH:MM:SS)"
                  : at > now + FUTURE_SLACK ? "cdt is in the future" : NULL;
  if (bad) {
    campStoreSiteFree(&w);
    snprintf(err, errSize, "%s", bad);
    return -1;
  }
  CollectHit *h = calloc(1, sizeof *h);
  int rc = h ? 0 : -2;
  if (h) {
    h->h.at = at;
    h->h.value = value;
    if (uid) rc = resolveWho(cx, &w, uid, campClockWall(), h, err, errSize);   /* tokens expire in real time, as issued */
    if (rc == 0 && fillTexts(cx, &w, ps, h) < 0) rc = -2;
  }
  if (rc == -2 && !err[0]) snprintf(err, errSize, "out of memory");
  campStoreSiteFree(&w);
  if (rc < 0) { campCollectHitFree(h); return rc; }
  *out = h;
  return 1;
}

void campCollectHitFree(CollectHit *h) {
  if (!h) return;
  WebHit *x = &h->h;
  const char *s[] = { x->site, x->visitor, x->model, x->url, x->title, x->referrer, x->name, x->category, x->action,
                      x->code, x->source, x->medium, x->keyword, x->ip, x->ua };
  for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) free((char *)s[i]);
  free(h);
}

void campCollectResultFree(CollectResult *r) {
  for (size_t i = 0; i < r->n; i++) campCollectHitFree(r->hits[i]);
  free(r->hits);
  memset(r, 0, sizeof *r);
}

static int pushHit(CollectResult *r, CollectHit *h, size_t cap) {
  if (!r->hits && !(r->hits = calloc(cap ? cap : 1, sizeof *r->hits))) return -1;
  r->hits[r->n++] = h;
  return 0;
}

/* -- a bulk ---------------------------------------------------------------------------- */

static int bulk(const CollectContext *cx, const char *body, size_t n, CollectResult *out, char *err, size_t errSize) {
  json_error_t je;
  json_t *root = json_loadb(body, n, 0, &je), *reqs = json_object_get(root, "requests");
  const char *auth = json_string_value(json_object_get(root, "token_auth"));
  out->bulk = 1;
  int rc = 0;
  if (!root) { snprintf(err, errSize, "malformed JSON at line %d column %d: %.100s", je.line, je.column, je.text); return -1; }
  if (!json_is_array(reqs)) { json_decref(root); snprintf(err, errSize, "a bulk is {\"requests\": [\"?idsite=...\", ...]}"); return -1; }
  size_t count = json_array_size(reqs);
  if (count > CAMP_COLLECT_BULK_MAX) {
    json_decref(root);
    snprintf(err, errSize, "a bulk of %zu requests: at most %d", count, CAMP_COLLECT_BULK_MAX);
    return -1;
  }
  char why[300];
  for (size_t i = 0; i < count && rc == 0; i++) {
    const char *q = json_string_value(json_array_get(reqs, i)), *mark = q ? strchr(q, '?') : NULL;
    CollectParams ps = { 0 };
    CollectHit *h = NULL;
    why[0] = 0;
    if (!q) { snprintf(why, sizeof why, "not a string (\"?idsite=...&rec=1&...\")"); rc = -1; }
    else if (campCollectParamsParse(&ps, mark ? mark : q, strlen(mark ? mark : q), why, sizeof why) < 0) rc = -1;
    else if (auth && !get(&ps, "token_auth") && campCollectParamsAdd(&ps, "token_auth", auth, why, sizeof why) < 0) rc = -1;
    else rc = oneHit(cx, &ps, &h, why, sizeof why);
    if (rc == 1) rc = pushHit(out, h, count) < 0 ? -2 : 0;
    else if (rc == 0) out->skipped++;
    if (rc == -2 && h) campCollectHitFree(h);
    if (rc < 0) snprintf(err, errSize, "request %zu of the bulk: %s", i, why[0] ? why : "out of memory");
    campCollectParamsFree(&ps);
  }
  json_decref(root);
  if (rc < 0) campCollectResultFree(out), out->bulk = 1;
  return rc;
}

int campCollectRequest(const CollectContext *cx, CollectParams *args, const char *body, size_t n, CollectResult *out,
                       char *err, size_t errSize) {
  memset(out, 0, sizeof *out);
  err[0] = 0;
  size_t skip = 0;
  while (skip < n && isspace((unsigned char)body[skip])) skip++;
  if (skip < n && body[skip] == '{') return bulk(cx, body + skip, n - skip, out, err, errSize);
  if (n && campCollectParamsParse(args, body, n, err, errSize) < 0) return -1;
  const char *img = get(args, "send_image");
  out->image = img && !strcmp(img, "1");
  CollectHit *h = NULL;
  int rc = oneHit(cx, args, &h, err, errSize);
  if (rc == 1 && pushHit(out, h, 1) < 0) { campCollectHitFree(h); snprintf(err, errSize, "out of memory"); return -2; }
  if (rc == 0) out->skipped = 1;
  return rc < 0 ? rc : 0;
}

/* -- the writer's side ------------------------------------------------------------------- */

int campCollectRecord(Engine *e, const WebHit *h, char *err, size_t errSize) {
  if (campStoreHitAdd(e, h) < 0) {
    snprintf(err, errSize, "database: %s", campStoreError(e));
    return -1;
  }
  return campSchedVisit(e, h, NULL, err, errSize) < 0 ? -1 : 0;   /* anonymous hits and bots change nothing */
}
