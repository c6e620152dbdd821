/*
** runtime/serve.c -- the tracking server (libmicrohttpd).
**
** Owns: the HTTP endpoints the messages point at --
**   GET  /o/TOKEN        a 1x1 GIF; records an open
**   GET  /r/TOKEN        302 to the link registered for that message and
**                        link index, never anywhere else; records a click
**   GET  /u/TOKEN        a small page with a confirm button
**   POST /u/TOKEN        RFC 8058 one-click unsubscribe (and the page's
**                        button): with the body List-Unsubscribe=One-Click,
**                        suppresses the address; idempotent
**   POST /hooks/events   events from a mail provider as JSON
**   POST /hooks/sms      an SMS gateway's inbound message: STOP suppresses
**                        the phone
** Tokens are verified (campTrackVerifyAny, under the current key and those
** kept for a rotation) before anything else: a forged, altered or swapped
** token gets 404 and changes nothing.  The hooks answer 401 unless
** $CAMP_HOOK_SECRET is set and the request carries X-Camp-Timestamp (within
** the tolerance of the server's clock) and X-Camp-Signature: sha256=HEX,
** the HMAC-SHA256 of "TIMESTAMP.BODY"; the body's "id" is recorded once, so
** a replay changes nothing.
**
** Hits are answered at once and handed to one writer thread, which records
** them through campSchedEvent (the path `camp event` takes) in batched
** transactions: whatever arrived while the last batch committed is the next
** batch.  On stop the daemon quits accepting, in-flight requests finish, and
** the writer records every hit already answered before returning.
** Does not own: what an event changes (store_event.c).
*/
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/clock.h"
#include "runtime/engine.h"
#include "runtime/store.h"
#include "runtime/buf.h"
#include "runtime/sched.h"
#include "runtime/serve.h"
#include "runtime/track.h"

#define HOOK_BODY_MAX (1 << 20)     /* bytes of a /hooks/events body */
#define FORM_BODY_MAX 4096          /* bytes of an unsubscribe POST */
#define HOOK_ID_MAX 200             /* bytes of a webhook's event id */

/* A hit waiting for the writer. */
typedef struct Hit { char kind; int64_t trace; char *url; } Hit;

typedef struct Server {
  const ServeOptions *o;
  pthread_mutex_t lock;
  pthread_cond_t more;
  Hit *q;                   /* queued hits (under lock) */
  size_t nq, capq;
  int closing;              /* no more hits will come (under lock) */
  long answered;            /* hits queued, each after its answer was decided (under lock) */
  long recorded, unknown, failed;
  pthread_key_t reader;     /* each request thread's own Engine */
  char **keys;              /* token keys: the current one first (campTrackKeys) */
  struct MHD_Response *gif, *notFound;
} Server;

static Server srv;

static const unsigned char gif1x1[] = {
  'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0,
  0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b
};

static const char pageHead[] =
  "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
  "<meta name=\"referrer\" content=\"no-referrer\"><title>Unsubscribe</title>"
  "<style>body{font-family:sans-serif;max-width:32em;margin:4em auto;padding:0 1em}"
  "button{font-size:1.1em;padding:.5em 1.5em}</style></head><body>";

/* -- the writer ------------------------------------------------------------ */

static void enqueue(char kind, int64_t trace, const char *url) {
  char *u = url ? strdup(url) : NULL;
  pthread_mutex_lock(&srv.lock);
  if (srv.nq == srv.capq) {
    size_t cap = srv.capq ? srv.capq * 2 : 1024;
    Hit *q = realloc(srv.q, cap * sizeof *q);
    if (!q) { pthread_mutex_unlock(&srv.lock); free(u); srv.failed++; return; }
    srv.q = q;
    srv.capq = cap;
  }
  srv.q[srv.nq++] = (Hit){ kind, trace, u };
  srv.answered++;
  pthread_cond_signal(&srv.more);
  pthread_mutex_unlock(&srv.lock);
}

/* Record a batch in one transaction; a busy database is waited for (the
** engine's busy timeout) and tried again, so an answered hit is not lost. */
static void recordBatch(Engine *e, Hit *h, size_t n) {
  char err[512];
  for (int tries = 0;; tries++) {
    if (campEngineBegin(e, err, sizeof err) == 0) break;
    if (tries == 30) { fprintf(stderr, "camp serve: %s; %zu hits not recorded\n", err, n); srv.failed += (long)n; return; }
  }
  int64_t now = campEngineNow(e);
  long rec = 0, unk = 0;
  for (size_t i = 0; i < n; i++) {
    static const char *const kinds[] = { ['o'] = "open", ['r'] = "click", ['u'] = "unsubscribe" };
    char mid[128];
    int rc = campStoreTraceMessage(e, h[i].trace, mid, sizeof mid);
    if (rc == 0) rc = campSchedEvent(e, kinds[(unsigned char)h[i].kind], mid, now, h[i].url, err, sizeof err);
    if (rc == 0) rec++;
    else if (rc == 1) unk++;
    else fprintf(stderr, "camp serve: %s\n", err);
  }
  if (campEngineCommit(e, err, sizeof err) < 0) {
    fprintf(stderr, "camp serve: %s; %zu hits not recorded\n", err, n);
    srv.failed += (long)n;
    return;
  }
  srv.recorded += rec;
  srv.unknown += unk;
}

static void *writer(void *arg) {
  Engine *e = arg;
  for (;;) {
    pthread_mutex_lock(&srv.lock);
    while (!srv.nq && !srv.closing) pthread_cond_wait(&srv.more, &srv.lock);
    Hit *batch = srv.q;
    size_t n = srv.nq;
    int closing = srv.closing;
    srv.q = NULL;
    srv.nq = srv.capq = 0;
    pthread_mutex_unlock(&srv.lock);
    if (n) recordBatch(e, batch, n);
    for (size_t i = 0; i < n; i++) free(batch[i].url);
    free(batch);
    if (!n && closing) return NULL;
  }
}

/* -- requests --------------------------------------------------------------- */

static void closeReader(void *e) { campEngineClose(e); }

/* This request thread's own connection (opened on first use). */
static Engine *reader(void) {
  Engine *e = pthread_getspecific(srv.reader);
  if (!e) {
    char err[512];
    e = campEngineOpen(srv.o->db, 0, INT64_MIN, err, sizeof err);
    if (!e) { fprintf(stderr, "camp serve: %s\n", err); return NULL; }
    pthread_setspecific(srv.reader, e);
  }
  return e;
}

typedef struct Req { Buf body; int tooBig; } Req;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const char *text) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, "Allow", "GET, HEAD, POST");
  enum MHD_Result rc = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result notFound(struct MHD_Connection *c) { return MHD_queue_response(c, MHD_HTTP_NOT_FOUND, srv.notFound); }

/* GET /r/TOKEN: the registered target, and nothing else.  A HEAD (link
** checkers, mail scanners) is answered but is not a click. */
static enum MHD_Result redirect(struct MHD_Connection *c, int64_t trace, uint32_t link, int head) {
  Engine *e = reader();
  char url[4096];
  if (!e || campStoreLinkUrl(e, trace, link, url, sizeof url) != 0) return notFound(c);
  if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || strpbrk(url, "\r\n")) return notFound(c);
  if (!head) enqueue('r', trace, url);
  struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Location", url);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result unsubscribePage(struct MHD_Connection *c, const char *url, int done) {
  Buf b = { 0 };
  campBufPuts(&b, pageHead);
  if (done)
    campBufPuts(&b, "<h1>You are unsubscribed</h1><p>You will not receive these messages any more.</p>");
  else
    campBufPrintf(&b, "<h1>Unsubscribe?</h1><p>Stop receiving these messages.</p>"
                      "<form method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                      "<button type=\"submit\" id=\"confirm\">Unsubscribe</button></form>", url);
  campBufPuts(&b, "</body></html>");
  enum MHD_Result rc = b.oom ? MHD_NO : reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", b.p);
  campBufFree(&b);
  return rc;
}

/* Is this the RFC 8058 one-click body, "List-Unsubscribe=One-Click"
** (form-urlencoded, as the confirmation page sends it too, or one part
** of a multipart/form-data body)?  Anything else unsubscribes nobody. */
static int oneClick(struct MHD_Connection *c, const Req *q) {
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  const char *p = q->body.p ? q->body.p : "", *end = p + q->body.n;
  if (type && !strncasecmp(type, "multipart/form-data", 19)) {
    static const char field[] = "name=\"List-Unsubscribe\"";
    const char *name = memmem(p, q->body.n, field, sizeof field - 1);
    const char *v = name ? memmem(name, (size_t)(end - name), "\r\n\r\n", 4) : NULL;
    return v && (size_t)(end - v) >= 4 + 11 && !memcmp(v + 4, "One-Click\r\n", 11);
  }
  while (p < end) {                            /* name=value pairs joined by & */
    const char *amp = memchr(p, '&', (size_t)(end - p));
    size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r')) n--;
    if (n == 26 && !memcmp(p, "List-Unsubscribe=One-Click", 26)) return 1;
    p = amp ? amp + 1 : end;
  }
  return 0;
}

static enum MHD_Result jsonError(struct MHD_Connection *c, unsigned status, const char *msg) {
  json_t *o = json_pack("{s:s}", "error", msg);
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  Buf b = { 0 };
  campBufPrintf(&b, "%s\n", text ? text : "{}");
  free(text);
  enum MHD_Result rc = b.oom ? MHD_NO : reply(c, status, "application/json", b.p);
  campBufFree(&b);
  return rc;
}

/* The hooks' authentication: a configured secret, a timestamp within the
** tolerance of the server's wall clock (the database's clock may be
** simulated), and X-Camp-Signature: sha256=HEX of "TIMESTAMP.BODY".
** NULL when the request is authentic, else what is wrong. */
static const char *hookAuth(struct MHD_Connection *c, const Req *q) {
  const char *key = srv.o->hookSecret;
  if (!key || !*key) return "webhooks are off: set CAMP_HOOK_SECRET";
  const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Camp-Timestamp");
  const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Camp-Signature");
  if (!sig || strncmp(sig, "sha256=", 7) || strlen(sig + 7) != 64) return "bad or missing X-Camp-Signature";
  char *end;
  long long t = ts ? strtoll(ts, &end, 10) : 0;
  if (!ts || !*ts || *end || strlen(ts) > 15) return "missing or malformed X-Camp-Timestamp (Unix seconds)";
  long long tol = srv.o->hookTolerance > 0 ? srv.o->hookTolerance : 300, now = (long long)time(NULL);
  if (t < now - tol || t > now + tol) return "X-Camp-Timestamp is too old or in the future";
  Buf m = { 0 };
  campBufPrintf(&m, "%s.", ts);
  campBufPut(&m, q->body.p ? q->body.p : "", q->body.n);
  unsigned char mac[32];
  unsigned macLen = 0;
  char hex[65];
  int ok = !m.oom && HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)m.p, m.n, mac, &macLen) && macLen == 32;
  campBufFree(&m);
  if (!ok) return "cannot check X-Camp-Signature";
  for (unsigned i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  return CRYPTO_memcmp(sig + 7, hex, 64) == 0 ? NULL : "bad or missing X-Camp-Signature";
}

/* The JSON body of an authentic hook with its "id": root (to json_decref)
** and the namespaced id in idBuf, or NULL after answering 400. */
static json_t *hookBody(struct MHD_Connection *c, const Req *q, const char *path, char *idBuf, size_t idSize,
                        enum MHD_Result *answered) {
  json_error_t je;
  json_t *root = json_loadb(q->body.p ? q->body.p : "", q->body.n, 0, &je);
  const char *id = json_string_value(json_object_get(root, "id"));
  char msg[300];
  if (!root) snprintf(msg, sizeof msg, "line %d column %d: malformed JSON", je.line, je.column);
  else if (!id || !*id || strlen(id) > HOOK_ID_MAX) snprintf(msg, sizeof msg, "expected an \"id\" (1 to %d bytes) naming this delivery", HOOK_ID_MAX);
  else {
    snprintf(idBuf, idSize, "%s:%s", path, id);
    return root;
  }
  json_decref(root);
  *answered = jsonError(c, MHD_HTTP_BAD_REQUEST, msg);
  return NULL;
}

/* POST /hooks/events: authenticate, then record the delivery's id and each
** event in this thread's own transaction, and say how many were recorded.
** A delivery whose id was seen before is a replay: 200 with
** "duplicate":true, and nothing recorded again. */
static enum MHD_Result hooks(struct MHD_Connection *c, const Req *q) {
  const char *why = hookAuth(c, q);
  if (why) return jsonError(c, MHD_HTTP_UNAUTHORIZED, why);
  char id[HOOK_ID_MAX + 16];
  enum MHD_Result answered = MHD_NO;
  json_t *root = hookBody(c, q, "events", id, sizeof id, &answered), *events = json_object_get(root, "events");
  if (!root) return answered;
  if (!json_is_array(events)) { json_decref(root); return jsonError(c, MHD_HTTP_BAD_REQUEST, "expected {\"id\": ..., \"events\": [...]}"); }
  Engine *e = reader();
  char err[512];
  if (!e || campEngineBegin(e, err, sizeof err) < 0) { json_decref(root); return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", "{\"error\":\"database busy\"}\n"); }
  long recorded = 0, unknown = 0, invalid = 0;
  size_t i;
  json_t *ev;
  int64_t now = campEngineNow(e);
  int seen = campStoreHookSeen(e, id, (int64_t)time(NULL), err, sizeof err);
  if (seen != 0) {
    json_decref(root);
    campEngineCommit(e, err, sizeof err);
    if (seen < 0) return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", "{\"error\":\"database busy\"}\n");
    return reply(c, MHD_HTTP_OK, "application/json", "{\"duplicate\":true,\"recorded\":0,\"unknown\":0,\"invalid\":0}\n");
  }
  json_array_foreach(events, i, ev) {
    const char *type = NULL, *mid = NULL, *at = NULL, *url = NULL;
    int64_t t = now;
    if (json_unpack(ev, "{s:s,s:s,s?s,s?s}", "type", &type, "message_id", &mid, "at", &at, "url", &url) < 0 ||
        (at && campClockParse(at, now, &t) < 0)) { invalid++; continue; }
    int rc = campSchedEvent(e, type, mid, t, url, err, sizeof err);
    if (rc == 0) recorded++; else if (rc == 1) unknown++; else invalid++;
  }
  json_decref(root);
  if (campEngineCommit(e, err, sizeof err) < 0) return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", "{\"error\":\"database busy\"}\n");
  char out[160];
  snprintf(out, sizeof out, "{\"recorded\":%ld,\"unknown\":%ld,\"invalid\":%ld}\n", recorded, unknown, invalid);
  return reply(c, MHD_HTTP_OK, "application/json", out);
}

/* A phone number as gateways send it: +, then 3 to 20 digits. */
static int phoneNumber(const char *s) {
  size_t n = 0;
  if (*s == '+') s++;
  while (s[n] >= '0' && s[n] <= '9') n++;
  return !s[n] && n >= 3 && n <= 20;
}

/* POST /hooks/sms: {"id": "...", "from": "+336...", "text": "STOP"} from an
** SMS gateway, authenticated like /hooks/events.  A STOP (or UNSUBSCRIBE,
** ARRET, ...) suppresses that phone on the sms channel; any other text
** changes nothing.  Answers {"suppressed":0|1} (or "duplicate":true). */
static enum MHD_Result hooksSms(struct MHD_Connection *c, const Req *q) {
  const char *why = hookAuth(c, q);
  if (why) return jsonError(c, MHD_HTTP_UNAUTHORIZED, why);
  char id[HOOK_ID_MAX + 16];
  enum MHD_Result answered = MHD_NO;
  json_t *root = hookBody(c, q, "sms", id, sizeof id, &answered);
  if (!root) return answered;
  const char *from = json_string_value(json_object_get(root, "from")), *text = json_string_value(json_object_get(root, "text"));
  if (!from || !text || !phoneNumber(from)) { json_decref(root); return jsonError(c, MHD_HTTP_BAD_REQUEST, "expected {\"id\": ..., \"from\": \"+33...\", \"text\": ...}"); }
  Engine *e = reader();
  char err[512];
  if (!e || campEngineBegin(e, err, sizeof err) < 0) { json_decref(root); return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", "{\"error\":\"database busy\"}\n"); }
  int seen = campStoreHookSeen(e, id, (int64_t)time(NULL), err, sizeof err);
  int rc = seen == 0 ? campStoreStopReply(e, from, text, campEngineNow(e), err, sizeof err) : seen;
  json_decref(root);
  char cerr[512];
  int committed = campEngineCommit(e, cerr, sizeof cerr) == 0;     /* a failed step wrote nothing: commit anyway */
  if (!committed) snprintf(err, sizeof err, "%s", cerr);
  if (seen < 0 || rc < 0 || !committed) {
    fprintf(stderr, "camp serve: /hooks/sms: %s\n", err);
    return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", "{\"error\":\"database busy\"}\n");
  }
  if (seen) return reply(c, MHD_HTTP_OK, "application/json", "{\"duplicate\":true,\"suppressed\":0}\n");
  return reply(c, MHD_HTTP_OK, "application/json", rc ? "{\"suppressed\":1}\n" : "{\"suppressed\":0}\n");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *uploadSize, void **state) {
  (void)cls; (void)version;
  int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
  if (!*state) {                              /* the headers: set up, answer later */
    Req *q = calloc(1, sizeof *q);
    if (!q) return MHD_NO;
    *state = q;
    return MHD_YES;
  }
  Req *q = *state;
  if (*uploadSize) {                          /* a piece of the body */
    size_t max = !strncmp(url, "/hooks/", 7) ? HOOK_BODY_MAX : FORM_BODY_MAX;
    if (q->body.n + *uploadSize > max) q->tooBig = 1;
    else campBufPut(&q->body, upload, *uploadSize);
    *uploadSize = 0;
    return MHD_YES;
  }
  if (q->tooBig || q->body.oom) return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", "request body too large\n");
  if (!strcmp(url, "/hooks/events")) return post ? hooks(c, q) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use POST\n");
  if (!strcmp(url, "/hooks/sms")) return post ? hooksSms(c, q) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use POST\n");
  char kind = 0;
  if (url[0] == '/' && (url[1] == 'o' || url[1] == 'r' || url[1] == 'u') && url[2] == '/') kind = url[1];
  const char *token = url + 3;
  int64_t trace;
  uint32_t link;
  if (!kind || strchr(token, '/') || campTrackVerifyAny((const char *const *)srv.keys, kind, token, &trace, &link) < 0) return notFound(c);
  if (kind == 'u') {
    if (post && !oneClick(c, q)) return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain", "expected the body List-Unsubscribe=One-Click\n");
    if (post) { enqueue('u', trace, NULL); return unsubscribePage(c, url, 1); }
    return get ? unsubscribePage(c, url, 0) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use GET or POST\n");
  }
  if (!get) return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
  int head = !strcmp(method, "HEAD");
  if (kind == 'r') return redirect(c, trace, link, head);
  if (!head) enqueue('o', trace, NULL);
  return MHD_queue_response(c, MHD_HTTP_OK, srv.gif);
}

static void completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why) {
  (void)cls; (void)c; (void)why;
  Req *q = *state;
  if (q) { campBufFree(&q->body); free(q); }
  *state = NULL;
}

/* -- the server ------------------------------------------------------------------ */

static int parseListen(const char *s, struct sockaddr_in *a, char *err, size_t errSize) {
  const char *colon = strrchr(s, ':');
  char host[64];
  char *end;
  long port = colon ? strtol(colon + 1, &end, 10) : -1;
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  if (!colon || (size_t)(colon - s) >= sizeof host || end == colon + 1 || *end || port < 0 || port > 65535) {
    snprintf(err, errSize, "--listen '%s': give ADDRESS:PORT, e.g. 127.0.0.1:8080", s);
    return -1;
  }
  snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
  if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
  if (inet_pton(AF_INET, host, &a->sin_addr) != 1) { snprintf(err, errSize, "--listen '%s': '%s' is not an IPv4 address", s, host); return -1; }
  a->sin_port = htons((uint16_t)port);
  return 0;
}

/* The keys tokens verify under: $CAMP_SECRET (or the database's secret)
** first, then $CAMP_SECRET_PREVIOUS, then the database's own secret (links
** signed before $CAMP_SECRET was set keep working; the database's secret is
** only in the database, so whoever has it has the database anyway) and the
** ones `camp secret rotate` kept.  NULL with a message in err. */
static char **serveKeys(const ServeOptions *o, Engine *w, char *err, size_t errSize) {
  const char *db = campEngineSecret(w);
  char *kept = NULL;
  if (campEngineSecretsPrevious(w, &kept, err, errSize) < 0) return NULL;
  Buf more = { 0 };
  campBufPrintf(&more, "%s,%s,%s", o->previous ? o->previous : "", o->secret ? db : "", kept);
  char **keys = more.oom ? NULL : campTrackKeys(o->secret ? o->secret : db, more.p);
  if (!keys) snprintf(err, errSize, "out of memory");
  if (more.p) OPENSSL_cleanse(more.p, more.n);
  campBufFree(&more);
  OPENSSL_cleanse(kept, strlen(kept));
  free(kept);
  return keys;
}

int campServeRun(const ServeOptions *o, volatile sig_atomic_t *stop, char *err, size_t errSize) {
  struct sockaddr_in addr;
  if (parseListen(o->listen, &addr, err, errSize) < 0) return -1;
  Engine *w = campEngineOpen(o->db, 0, INT64_MIN, err, errSize);
  if (!w) return -1;
  memset(&srv, 0, sizeof srv);
  srv.o = o;
  if (!(srv.keys = serveKeys(o, w, err, errSize))) {
    campEngineClose(w);
    return -1;
  }
  pthread_mutex_init(&srv.lock, NULL);
  pthread_cond_init(&srv.more, NULL);
  pthread_key_create(&srv.reader, closeReader);
  srv.gif = MHD_create_response_from_buffer(sizeof gif1x1, (void *)gif1x1, MHD_RESPMEM_PERSISTENT);
  srv.notFound = MHD_create_response_from_buffer(10, (void *)"not found\n", MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(srv.gif, "Content-Type", "image/gif");
  MHD_add_response_header(srv.gif, "Cache-Control", "no-store");
  MHD_add_response_header(srv.gif, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(srv.notFound, "Content-Type", "text/plain");
  pthread_t wt;
  pthread_create(&wt, NULL, writer, w);
  unsigned threads = o->threads > 0 ? (unsigned)o->threads : 4;
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, handle, NULL,
                                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                          MHD_OPTION_THREAD_POOL_SIZE, threads,
                                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
                                          MHD_OPTION_CONNECTION_LIMIT, 4096u,
                                          MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                          MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
                                          MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                          MHD_OPTION_END);
  int rc = 0;
  if (!d) {
    snprintf(err, errSize, "cannot listen on %s (in use, or not an address of this machine)", o->listen);
    rc = -1;
  } else {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[64];
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
    if (o->log) { fprintf(o->log, "camp serve: listening on http://%s:%u\n", host, info ? info->port : ntohs(addr.sin_port)); fflush(o->log); }
    while (!*stop) {
      struct timespec ts = { 0, 100 * 1000 * 1000 };
      nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);                        /* in-flight requests finish first */
  }
  pthread_mutex_lock(&srv.lock);
  srv.closing = 1;
  pthread_cond_signal(&srv.more);
  pthread_mutex_unlock(&srv.lock);
  pthread_join(wt, NULL);
  if (o->log && rc == 0) {
    fprintf(o->log, "camp serve: %ld hits answered, %ld recorded, %ld for unknown messages, %ld lost\n", srv.answered,
            srv.recorded, srv.unknown, srv.failed);
    fflush(o->log);
  }
  MHD_destroy_response(srv.gif);
  MHD_destroy_response(srv.notFound);
  campEngineClose(w);
  pthread_key_delete(srv.reader);
  campTrackKeysFree(srv.keys);
  srv.keys = NULL;
  return rc;
}
