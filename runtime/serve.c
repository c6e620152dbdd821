/*
** runtime/serve.c -- the tracking server (libmicrohttpd).
**
** Owns: the HTTP endpoints the messages point at --
**   GET  /o/TOKEN        a 1x1 GIF; records an open
**   GET  /r/TOKEN        302 to the link registered for that message and
**                        link index, never anywhere else; records a click
**   GET  /u/TOKEN        a small page with a confirm button (a message
**                        sent to a list: "Unsubscribe from LIST" and
**                        "Unsubscribe from everything")
**   POST /u/TOKEN        RFC 8058 one-click unsubscribe (and the page's
**                        buttons): with the body List-Unsubscribe=One-Click,
**                        unsubscribes the record from the message's list
**                        (its campaign's or mailing's), or -- with
**                        scope=all, or a message without a list --
**                        suppresses the address; idempotent
**   POST /hooks/events   events from a mail provider as JSON
**   POST /hooks/sms      an SMS gateway's inbound message: STOP suppresses
**                        the phone
**   GET|POST /matomo.php (and /piwik.php) the Matomo HTTP Tracking API:
**                        website hits, read by collect.c, 204 (or the GIF
**                        with send_image=1; a bulk: JSON), 400 with a
**                        one-line reason and nothing recorded for a bad
**                        request; CORS for any origin (OPTIONS answered)
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
** The log (ServeOptions.log) has a line per hit, "TIMESTAMP METHOD PATH
** STATUS WHAT": the wall clock in ISO 8601 when the request came, and
** what it recorded -- written by the writer once the hit is recorded for
** opens, clicks and unsubscribes, when the request ends for the rest
** ("-": nothing).  Paths are cut to LOG_PATH_MAX bytes, and bytes that are
** not printable ASCII are written %XX, so one hit is one line.
** Does not own: what an event changes (store_event.c).
*/
#include <arpa/inet.h>
#include <jansson.h>
#include <netdb.h>
#include <stdarg.h>
#include <unistd.h>
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
#include "runtime/collect.h"
#include "runtime/sched.h"
#include "runtime/serve.h"
#include "runtime/serve_site.h"
#include "runtime/track.h"

#define HOOK_BODY_MAX (1 << 20)     /* bytes of a /hooks/events body */
#define FORM_BODY_MAX 4096          /* bytes of an unsubscribe POST */
#define HOOK_ID_MAX 200             /* bytes of a webhook's event id */
#define LOG_PATH_MAX 200            /* bytes of a path in the log */

/* A hit waiting for the writer, with its log line's start (path NULL
** when there is no log). */
typedef struct Hit {
  char kind;
  int64_t trace;
  char *url;
  char method[8];
  char *path;
  int64_t at;
  unsigned status;
  CollectHit *web;          /* a website hit (kind 'w'), or NULL */
} Hit;

/* A request: its body, and what its log line says. */
typedef struct Req {
  Buf body;
  int tooBig;
  int logged;               /* its line is the writer's (a hit queued) */
  char method[8];           /* as the client sent it (printable, cut) */
  char *path;               /* NULL when there is no log */
  int64_t at;               /* wall clock when it came */
  char what[160];           /* what it recorded ("" : nothing) */
} Req;

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

/* -- the log ----------------------------------------------------------------- */

/* "TIMESTAMP camp serve: MESSAGE" on out, flushed (messages are cut at 1 KiB). */
static void stamped(FILE *out, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void stamped(FILE *out, const char *fmt, va_list ap) {
  char now[CAMP_CLOCK_ISO_SIZE], msg[1024];
  campClockFormat(campClockWall(), now);
  vsnprintf(msg, sizeof msg, fmt, ap);
  fprintf(out, "%s camp serve: %s\n", now, msg);
  fflush(out);
}

/* A problem, on stderr. */
static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  stamped(stderr, fmt, ap);
  va_end(ap);
}

/* The server's own lines on the log: listening, the closing summary. */
static void logLine(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logLine(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  stamped(srv.o->log, fmt, ap);
  va_end(ap);
}

/* text for the log: printable ASCII as is, other bytes %XX, at most max
** bytes of text ("..." then). */
static void logText(Buf *b, const char *text, size_t max) {
  size_t i = 0;
  while (i < max && text[i]) {
    size_t j = i;
    while (j < max && (unsigned char)text[j] > 0x20 && (unsigned char)text[j] < 0x7f) j++;
    campBufPut(b, text + i, j - i);
    if (j < max && text[j]) campBufPrintf(b, "%%%02X", (unsigned char)text[j++]);
    i = j;
  }
  if (text[i]) campBufPuts(b, "...");
}

/* What a collector hit recorded, for its log line: "hit SITE NAME by MODEL
** ID" or "by anonymous", "(bot)", and why a user id was not attached. */
static void logWebHit(Buf *b, const CollectHit *h) {
  campBufPuts(b, "hit ");
  logText(b, h->h.site, 100);
  campBufPut(b, " ", 1);
  logText(b, h->h.name, 100);
  if (h->h.model) {
    campBufPuts(b, " by ");
    logText(b, h->h.model, 100);
    campBufPrintf(b, " %lld", (long long)h->h.record);
  } else campBufPuts(b, " by anonymous");
  if (!strcmp(h->h.uaClass, "bot")) campBufPuts(b, " (bot)");
  if (h->note[0]) campBufPrintf(b, " (%s: not attached)", h->note);
}

/* The last time formatted, so a batch of hits in one second formats it once. */
typedef struct LogClock { int64_t at; char text[CAMP_CLOCK_ISO_SIZE]; } LogClock;

/* The start of a hit's line, "2026-11-30T16:20:00Z GET /o/TOKEN 200 ",
** added to b; what it recorded and "\n" follow. */
static void logHitStart(Buf *b, LogClock *c, int64_t at, const char *method, const char *path, unsigned status) {
  if (c->at != at || !c->text[0]) { campClockFormat(at, c->text); c->at = at; }
  campBufPuts(b, c->text);
  campBufPut(b, " ", 1);
  campBufPuts(b, method);
  campBufPut(b, " ", 1);
  logText(b, path, LOG_PATH_MAX);
  if (status) campBufPrintf(b, " %u ", status);
  else campBufPuts(b, " - ");
}

static void logWrite(Buf *b) {
  if (!b->oom && b->n) { fwrite(b->p, 1, b->n, srv.o->log); fflush(srv.o->log); }
  campBufFree(b);
}

/* -- the writer ------------------------------------------------------------ */

/* Queue a hit answered with status for the writer (its log line is the
** writer's). */
static void enqueue(char kind, int64_t trace, const char *url, Req *r, unsigned status) {
  char *u = url ? strdup(url) : NULL;
  char *path = r->path;                      /* the writer's now */
  r->path = NULL;
  r->logged = 1;
  pthread_mutex_lock(&srv.lock);
  if (srv.nq == srv.capq) {
    size_t cap = srv.capq ? srv.capq * 2 : 1024;
    Hit *q = realloc(srv.q, cap * sizeof *q);
    if (!q) { pthread_mutex_unlock(&srv.lock); free(u); free(path); srv.failed++; return; }
    srv.q = q;
    srv.capq = cap;
  }
  Hit *h = &srv.q[srv.nq++];
  *h = (Hit){ kind, trace, u, "", path, r->at, status, NULL };
  memcpy(h->method, r->method, sizeof h->method);
  srv.answered++;
  pthread_cond_signal(&srv.more);
  pthread_mutex_unlock(&srv.lock);
}

/* Queue a request's website hits (one line each in the log), answered
** with status, all under one lock: a bulk is queued whole.  The hits are
** the writer's now. */
static void enqueueWeb(CollectResult *res, Req *r, unsigned status) {
  pthread_mutex_lock(&srv.lock);
  if (srv.nq + res->n > srv.capq) {
    size_t cap = srv.capq ? srv.capq : 1024;
    while (cap < srv.nq + res->n) cap *= 2;
    Hit *q = realloc(srv.q, cap * sizeof *q);
    if (!q) {
      pthread_mutex_unlock(&srv.lock);
      srv.failed += (long)res->n;
      campCollectResultFree(res);
      return;
    }
    srv.q = q;
    srv.capq = cap;
  }
  for (size_t i = 0; i < res->n; i++) {
    Hit *h = &srv.q[srv.nq++];
    *h = (Hit){ 'w', 0, NULL, "", NULL, r->at, status, res->hits[i] };
    memcpy(h->method, r->method, sizeof h->method);
    if (r->path) h->path = i + 1 < res->n ? strdup(r->path) : r->path;
  }
  r->path = NULL;
  r->logged = 1;
  srv.answered += (long)res->n;
  pthread_cond_signal(&srv.more);
  pthread_mutex_unlock(&srv.lock);
  res->n = 0;
  campCollectResultFree(res);
}

static const char *const kinds[] = { ['o'] = "open", ['r'] = "click", ['u'] = "unsubscribe", ['l'] = "unsubscribe" };

/* The log lines of a batch: what each hit recorded (rc: 0 recorded, 1
** unknown message, -1 not recorded, for why). */
static void logBatch(const Hit *h, const int *rc, size_t n, const char *why) {
  Buf b = { 0 };
  LogClock c = { 0, "" };
  for (size_t i = 0; i < n; i++) {
    if (!h[i].path) continue;
    logHitStart(&b, &c, h[i].at, h[i].method, h[i].path, h[i].status);
    if (h[i].web) logWebHit(&b, h[i].web);
    else campBufPrintf(&b, "%s%s t%lld", kinds[(unsigned char)h[i].kind], h[i].kind == 'l' ? " (list)" : "", (long long)h[i].trace);
    if (h[i].url && !h[i].web) { campBufPut(&b, " ", 1); logText(&b, h[i].url, LOG_PATH_MAX); }
    if (rc[i] == 1) campBufPuts(&b, ": unknown message, nothing recorded");
    else if (rc[i] < 0) { campBufPuts(&b, ": not recorded: "); logText(&b, why, 300); }
    campBufPut(&b, "\n", 1);
  }
  logWrite(&b);
}

/* Record a batch in one transaction; a busy database is waited for (the
** engine's busy timeout) and tried again, so an answered hit is not lost. */
static void recordBatch(Engine *e, Hit *h, size_t n) {
  char err[512];
  int *rc = calloc(n, sizeof *rc);
  for (int tries = 0;; tries++) {
    if (campEngineBegin(e, err, sizeof err) == 0) break;
    if (tries == 30) {
      warn("%s; %zu hits not recorded", err, n);
      srv.failed += (long)n;
      for (size_t i = 0; rc && i < n; i++) rc[i] = -1;
      if (rc && srv.o->log) logBatch(h, rc, n, err);
      free(rc);
      return;
    }
  }
  int64_t now = campEngineNow(e);
  long rec = 0, unk = 0, web = 0;
  char why[512] = "";
  for (size_t i = 0; i < n; i++) {
    char mid[128];
    int r;
    if (h[i].web) {
      web++;
      r = campCollectRecord(e, &h[i].web->h, err, sizeof err);
    } else {
      r = campStoreTraceMessage(e, h[i].trace, mid, sizeof mid);
      if (r == 0) r = h[i].kind == 'l' ? campSchedUnsubscribeList(e, mid, now, err, sizeof err)
                                       : campSchedEvent(e, kinds[(unsigned char)h[i].kind], mid, now, h[i].url, err, sizeof err);
    }
    if (r == 0) rec++;
    else if (r == 1) unk++;
    else { warn("%s", err); snprintf(why, sizeof why, "%s", err); }
    if (rc) rc[i] = r;
  }
  if (web && campStoreVisitsGroup(e, err, sizeof err) < 0) warn("visits not grouped: %s", err);
  if (campEngineCommit(e, err, sizeof err) < 0) {
    warn("%s; %zu hits not recorded", err, n);
    srv.failed += (long)n;
    for (size_t i = 0; rc && i < n; i++) rc[i] = -1;
    snprintf(why, sizeof why, "%s", err);
  } else {
    srv.recorded += rec;
    srv.unknown += unk;
  }
  if (rc && srv.o->log) logBatch(h, rc, n, why);
  free(rc);
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
    for (size_t i = 0; i < n; i++) { free(batch[i].url); free(batch[i].path); campCollectHitFree(batch[i].web); }
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
    if (!e) { warn("%s", err); return NULL; }
    pthread_setspecific(srv.reader, e);
  }
  return e;
}

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
static enum MHD_Result redirect(struct MHD_Connection *c, Req *q, int64_t trace, uint32_t link, int head) {
  Engine *e = reader();
  char url[4096];
  if (!e || campStoreLinkUrl(e, trace, link, url, sizeof url) != 0) return notFound(c);
  if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || strpbrk(url, "\r\n")) return notFound(c);
  if (!head) enqueue('r', trace, url, q, MHD_HTTP_FOUND);
  else snprintf(q->what, sizeof q->what, "HEAD: not a click");
  struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!r) return MHD_NO;
  char *landing = campServeSiteLanding(e, srv.keys[0], trace, url);   /* url + the contact token, on a website that takes it */
  MHD_add_response_header(r, "Location", landing ? landing : url);
  free(landing);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
  MHD_destroy_response(r);
  return rc;
}

/* s escaped for HTML text or a quoted attribute, added to b. */
static void htmlPut(Buf *b, const char *s) {
  for (; *s; s++) {
    const char *esc = campVmEscapeOf(ESC_HTML, (unsigned char)*s);
    if (esc) campBufPuts(b, esc); else campBufPut(b, s, 1);
  }
}

/* A form POSTing the one-click body to url (everything: with
** scope=all), its button labelled label with id. */
static void unsubscribeForm(Buf *b, const char *url, int everything, const char *id, const char *label, const char *title) {
  campBufPuts(b, "<form method=\"post\" action=\"");
  htmlPut(b, url);
  campBufPuts(b, "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">");
  if (everything) campBufPuts(b, "<input type=\"hidden\" name=\"scope\" value=\"all\">");
  campBufPrintf(b, "<button type=\"submit\" id=\"%s\">%s", id, label);
  if (title) htmlPut(b, title);
  campBufPuts(b, "</button></form>");
}

/* The page: asking (done 0), or saying what was done (1: unsubscribed
** from the list titled title, or from these messages when there is no
** list; 2: from everything).  With a list, a second form unsubscribes
** from everything (the address suppressed).  Everything from outside
** (the list's title, the path) is HTML-escaped. */
static enum MHD_Result unsubscribePage(struct MHD_Connection *c, const char *url, int done, const char *title) {
  Buf b = { 0 };
  campBufPuts(&b, pageHead);
  if (done == 2)
    campBufPuts(&b, "<h1>You are unsubscribed from everything</h1><p>You will not receive any of our messages any more.</p>");
  else if (done && title) {
    campBufPuts(&b, "<h1>You are unsubscribed from ");
    htmlPut(&b, title);
    campBufPuts(&b, "</h1><p>You will not receive the messages sent to this list any more.</p>");
    unsubscribeForm(&b, url, 1, "everything", "Unsubscribe from everything", NULL);
  } else if (done)
    campBufPuts(&b, "<h1>You are unsubscribed</h1><p>You will not receive these messages any more.</p>");
  else if (title) {
    campBufPuts(&b, "<h1>Unsubscribe from ");
    htmlPut(&b, title);
    campBufPuts(&b, "?</h1><p>Stop receiving the messages sent to this list.</p>");
    unsubscribeForm(&b, url, 0, "confirm", "Unsubscribe from ", title);
    unsubscribeForm(&b, url, 1, "everything", "Unsubscribe from everything", NULL);
  } else {
    campBufPuts(&b, "<h1>Unsubscribe?</h1><p>Stop receiving these messages.</p>");
    unsubscribeForm(&b, url, 0, "confirm", "Unsubscribe", NULL);
  }
  campBufPuts(&b, "</body></html>");
  enum MHD_Result rc = b.oom ? MHD_NO : reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", b.p);
  campBufFree(&b);
  return rc;
}

static int formField(struct MHD_Connection *c, const Req *q, const char *name, const char *value);

/* /u/TOKEN of trace: the page, and on a POST the unsubscribe queued --
** from the message's list (one-click, the first button) or, with
** scope=all or without a list, from everything. */
static enum MHD_Result unsubscribeHit(struct MHD_Connection *c, Req *q, const char *url, int64_t trace, int post) {
  char *name = NULL, *title = NULL;
  Engine *e = reader();
  if (!e || campStoreMailingTraceList(e, trace, &name, &title) < 0) {
    free(name); free(title);
    return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "database busy, try again\n");
  }
  int all = !title || formField(c, q, "scope", "all");
  if (post) enqueue(all ? 'u' : 'l', trace, NULL, q, MHD_HTTP_OK);
  enum MHD_Result rc = unsubscribePage(c, url, post ? 1 + (all && title) : 0, title);
  free(name);
  free(title);
  return rc;
}

/* Does the form body carry the field name with value (form-urlencoded, as
** the confirmation page sends it, or one part of a multipart/form-data
** body)?  Names and values here need no decoding. */
static int formField(struct MHD_Connection *c, const Req *q, const char *name, const char *value) {
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  const char *p = q->body.p ? q->body.p : "", *end = p + q->body.n;
  size_t nn = strlen(name), vn = strlen(value);
  if (type && !strncasecmp(type, "multipart/form-data", 19)) {
    for (const char *at = p; at < end;) {
      const char *k = memmem(at, (size_t)(end - at), "name=\"", 6);
      if (!k) return 0;
      at = k + 6;
      if ((size_t)(end - at) <= nn || memcmp(at, name, nn) || at[nn] != '"') continue;
      const char *v = memmem(at, (size_t)(end - at), "\r\n\r\n", 4);
      return v && (size_t)(end - v) >= 4 + vn + 2 && !memcmp(v + 4, value, vn) && !memcmp(v + 4 + vn, "\r\n", 2);
    }
    return 0;
  }
  while (p < end) {                            /* name=value pairs joined by & */
    const char *amp = memchr(p, '&', (size_t)(end - p));
    size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r')) n--;
    if (n == nn + 1 + vn && !memcmp(p, name, nn) && p[nn] == '=' && !memcmp(p + nn + 1, value, vn)) return 1;
    p = amp ? amp + 1 : end;
  }
  return 0;
}

/* Is this the RFC 8058 one-click body, "List-Unsubscribe=One-Click"?
** Anything else unsubscribes nobody. */
static int oneClick(struct MHD_Connection *c, const Req *q) { return formField(c, q, "List-Unsubscribe", "One-Click"); }

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
static json_t *hookBody(struct MHD_Connection *c, Req *q, const char *path, char *idBuf, size_t idSize,
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
  snprintf(q->what, sizeof q->what, "%.150s", msg);
  *answered = jsonError(c, MHD_HTTP_BAD_REQUEST, msg);
  return NULL;
}

/* POST /hooks/events: authenticate, then record the delivery's id and each
** event in this thread's own transaction, and say how many were recorded.
** A delivery whose id was seen before is a replay: 200 with
** "duplicate":true, and nothing recorded again. */
static enum MHD_Result hooks(struct MHD_Connection *c, Req *q) {
  const char *why = hookAuth(c, q);
  if (why) { snprintf(q->what, sizeof q->what, "%s", why); return jsonError(c, MHD_HTTP_UNAUTHORIZED, why); }
  char id[HOOK_ID_MAX + 16];
  enum MHD_Result answered = MHD_NO;
  json_t *root = hookBody(c, q, "events", id, sizeof id, &answered), *events = json_object_get(root, "events");
  if (!root) return answered;
  if (!json_is_array(events)) {
    json_decref(root);
    snprintf(q->what, sizeof q->what, "no events array");
    return jsonError(c, MHD_HTTP_BAD_REQUEST, "expected {\"id\": ..., \"events\": [...]}");
  }
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
    snprintf(q->what, sizeof q->what, "duplicate delivery: nothing recorded");
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
  snprintf(q->what, sizeof q->what, "events: %ld recorded, %ld unknown, %ld invalid", recorded, unknown, invalid);
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
static enum MHD_Result hooksSms(struct MHD_Connection *c, Req *q) {
  const char *why = hookAuth(c, q);
  if (why) { snprintf(q->what, sizeof q->what, "%s", why); return jsonError(c, MHD_HTTP_UNAUTHORIZED, why); }
  char id[HOOK_ID_MAX + 16];
  enum MHD_Result answered = MHD_NO;
  json_t *root = hookBody(c, q, "sms", id, sizeof id, &answered);
  if (!root) return answered;
  const char *from = json_string_value(json_object_get(root, "from")), *text = json_string_value(json_object_get(root, "text"));
  if (!from || !text || !phoneNumber(from)) {
    json_decref(root);
    snprintf(q->what, sizeof q->what, "expected a phone number in from and a text");
    return jsonError(c, MHD_HTTP_BAD_REQUEST, "expected {\"id\": ..., \"from\": \"+33...\", \"text\": ...}");
  }
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
    warn("/hooks/sms: %s", err);
    return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", "{\"error\":\"database busy\"}\n");
  }
  if (seen) {
    snprintf(q->what, sizeof q->what, "duplicate delivery: nothing recorded");
    return reply(c, MHD_HTTP_OK, "application/json", "{\"duplicate\":true,\"suppressed\":0}\n");
  }
  snprintf(q->what, sizeof q->what, rc ? "sms stop: phone suppressed" : "sms: not a stop, nothing recorded");
  return reply(c, MHD_HTTP_OK, "application/json", rc ? "{\"suppressed\":1}\n" : "{\"suppressed\":0}\n");
}

/* -- the collector (the request is read by collect.c) ------------------------- */

/* The header a malformed query leaves (unescape); not a real header name. */
#define MALFORMED_MARK "\001camp-malformed-query"

static int isCollector(const char *url) { return !strcmp(url, "/matomo.php") || !strcmp(url, "/piwik.php"); }

/* MHD's unescaping of the path and the query's names and values, which
** also marks the request when a '%' is not followed by two hex digits (the
** collector refuses it). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s) {
  (void)cls;
  if (!campCollectPercentValid(s)) MHD_set_connection_value(c, MHD_HEADER_KIND, MALFORMED_MARK, "1");
  return MHD_http_unescape(s);
}

/* A collector answer: any origin may read it (CORS), never cached; a
** preflight (OPTIONS) gets the methods and header a tracker uses.  A
** request with an Origin gets it back with Allow-Credentials, as Matomo
** answers: matomo.js POSTs with withCredentials, which a "*" fails (and
** the tracker then sends the hit again as a GET).  The answers carry
** nothing but the status, and the collector reads no cookie. */
static enum MHD_Result collectReply(struct MHD_Connection *c, unsigned status, const char *type, const void *body, size_t n) {
  struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
  size_t on = origin ? strlen(origin) : 0;
  int echo = on && on <= 256 && (!strncmp(origin, "http://", 7) || !strncmp(origin, "https://", 8));
  for (size_t i = 0; echo && i < on; i++) echo = origin[i] > 0x20 && origin[i] < 0x7f;
  if (type) MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Access-Control-Allow-Origin", echo ? origin : "*");
  if (echo) {
    MHD_add_response_header(r, "Access-Control-Allow-Credentials", "true");
    MHD_add_response_header(r, "Vary", "Origin");
  }
  if (status == MHD_HTTP_NO_CONTENT && !body) {
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type");
    MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
  }
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, "Allow", "GET, POST, OPTIONS");
  enum MHD_Result rc = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return rc;
}

/* 400 (or status) with a one-line reason, which the log says too. */
static enum MHD_Result collectRefuse(struct MHD_Connection *c, Req *q, unsigned status, const char *why) {
  Buf b = { 0 };
  campBufPrintf(&b, "%s\n", why);
  snprintf(q->what, sizeof q->what, "refused, nothing recorded: %s", why);
  enum MHD_Result rc = b.oom ? MHD_NO : collectReply(c, status, "text/plain; charset=utf-8", b.p, b.n);
  campBufFree(&b);
  return rc;
}

typedef struct ArgWalk { CollectParams *ps; char *err; size_t errSize; int failed; } ArgWalk;

static enum MHD_Result argOf(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  ArgWalk *w = cls;
  (void)kind;
  if (campCollectParamsAdd(w->ps, key, value ? value : "", w->err, w->errSize) == 0) return MHD_YES;
  w->failed = 1;
  return MHD_NO;
}

/* /matomo.php and /piwik.php: read the request (collect.c), answer at
** once, and queue its hits for the writer. */
static enum MHD_Result collect(struct MHD_Connection *c, Req *q, const char *method) {
  if (!strcmp(method, "OPTIONS")) return collectReply(c, MHD_HTTP_NO_CONTENT, NULL, NULL, 0);
  int post = !strcmp(method, "POST");
  if (!post && strcmp(method, "GET") && strcmp(method, "HEAD")) return collectRefuse(c, q, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or POST");
  if (!strcmp(method, "HEAD")) {
    snprintf(q->what, sizeof q->what, "HEAD: not a hit");
    return collectReply(c, MHD_HTTP_NO_CONTENT, NULL, "", 0);
  }
  if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MALFORMED_MARK))
    return collectRefuse(c, q, MHD_HTTP_BAD_REQUEST, "malformed percent-encoding in the query (a % not followed by two hex digits)");
  char err[400] = "";
  CollectParams args = { 0 };
  ArgWalk w = { &args, err, sizeof err, 0 };
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, argOf, &w);
  Engine *e = reader();
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  CollectContext cx = { e, (const char *const *)srv.keys, srv.o->keepIp, ci ? ci->client_addr : NULL,
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent") };
  CollectResult res = { 0 };
  int rc = w.failed ? -1 : !e ? -2 : campCollectRequest(&cx, &args, post ? q->body.p : NULL, post ? q->body.n : 0, &res, err, sizeof err);
  campCollectParamsFree(&args);
  if (rc == -1) return collectRefuse(c, q, MHD_HTTP_BAD_REQUEST, err);
  if (rc < 0) {
    warn("%s: %s", q->method, err[0] ? err : "no database connection");
    return collectRefuse(c, q, MHD_HTTP_SERVICE_UNAVAILABLE, "database busy, try again");
  }
  char json[96];
  snprintf(json, sizeof json, "{\"status\":\"success\",\"tracked\":%zu,\"invalid\":0}\n", res.n);
  unsigned status = res.bulk || res.image ? MHD_HTTP_OK : MHD_HTTP_NO_CONTENT;
  int bulk = res.bulk, image = res.image;
  if (res.n) enqueueWeb(&res, q, status);
  else {
    snprintf(q->what, sizeof q->what, "rec is not 1: nothing recorded%s", bulk ? " (a bulk without hits)" : "");
    campCollectResultFree(&res);
  }
  if (bulk) return collectReply(c, status, "application/json", json, strlen(json));
  if (image) return collectReply(c, status, "image/gif", gif1x1, sizeof gif1x1);
  return collectReply(c, status, NULL, "", 0);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *uploadSize, void **state) {
  (void)cls; (void)version;
  int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
  if (!*state) {                              /* the headers: set up, answer later */
    Req *q = calloc(1, sizeof *q);
    if (!q) return MHD_NO;
    *state = q;
    for (size_t i = 0; i + 1 < sizeof q->method && method[i]; i++)
      q->method[i] = method[i] > 0x20 && method[i] < 0x7f ? method[i] : '?';
    q->at = campClockWall();
    if (srv.o->log && !(q->path = strdup(url))) return MHD_NO;
    return MHD_YES;
  }
  Req *q = *state;
  if (*uploadSize) {                          /* a piece of the body */
    size_t max = !strncmp(url, "/hooks/", 7) ? HOOK_BODY_MAX : isCollector(url) ? CAMP_COLLECT_BODY_MAX : FORM_BODY_MAX;
    if (q->body.n + *uploadSize > max) q->tooBig = 1;
    else campBufPut(&q->body, upload, *uploadSize);
    *uploadSize = 0;
    return MHD_YES;
  }
  if ((q->tooBig || q->body.oom) && isCollector(url)) return collectRefuse(c, q, MHD_HTTP_BAD_REQUEST, "request body over 1 MiB");
  if (q->tooBig || q->body.oom) return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", "request body too large\n");
  if (isCollector(url)) return collect(c, q, method);
  if (!strcmp(url, "/hooks/events")) return post ? hooks(c, q) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use POST\n");
  if (!strcmp(url, "/hooks/sms")) return post ? hooksSms(c, q) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use POST\n");
  if (!strcmp(url, "/camp.js")) return get ? campServeSiteScript(c) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
  char kind = 0;
  if (url[0] == '/' && (url[1] == 'o' || url[1] == 'r' || url[1] == 'u') && url[2] == '/') kind = url[1];
  const char *token = url + 3;
  int64_t trace;
  uint32_t link;
  if (!kind || strchr(token, '/') || campTrackVerifyAny((const char *const *)srv.keys, kind, token, &trace, &link) < 0) return notFound(c);
  if (kind == 'u') {
    if (post && !oneClick(c, q)) return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain", "expected the body List-Unsubscribe=One-Click\n");
    return post || get ? unsubscribeHit(c, q, url, trace, post) : reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use GET or POST\n");
  }
  if (!get) return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
  int head = !strcmp(method, "HEAD");
  if (kind == 'r') return redirect(c, q, trace, link, head);
  if (!head) enqueue('o', trace, NULL, q, MHD_HTTP_OK);
  else snprintf(q->what, sizeof q->what, "HEAD: not an open");
  return MHD_queue_response(c, MHD_HTTP_OK, srv.gif);
}

/* The end of a request: its log line, unless the writer has it. */
static void completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why) {
  (void)cls; (void)why;
  Req *q = *state;
  if (!q) return;
  if (q->path && !q->logged) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    Buf b = { 0 };
    LogClock clock = { 0, "" };
    logHitStart(&b, &clock, q->at, q->method, q->path, ci ? ci->http_status : 0);
    campBufPuts(&b, q->what[0] ? q->what : "-");
    campBufPut(&b, "\n", 1);
    logWrite(&b);
  }
  campBufFree(&q->body);
  free(q->path);
  free(q);
  *state = NULL;
}

/* -- the server ------------------------------------------------------------------ */

/* Is there IPv6 on this machine (can a socket be made)? */
static int haveIpv6(void) {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  close(fd);
  return 1;
}

/* The host's address (first IPv4, else first IPv6; bracketed: a numeric
** IPv6 address only) with port, into out.  0 or -1. */
static int resolve(const char *listen, const char *host, int bracketed, long port, ServeAddr *out, char *err, size_t errSize) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = bracketed ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = bracketed ? AI_NUMERICHOST : 0;
  int rc = getaddrinfo(host, NULL, &hints, &res);
  if (rc != 0) {
    if (bracketed) snprintf(err, errSize, "--listen '%s': '%s' is not an IPv6 address", listen, host);
    else snprintf(err, errSize, "--listen '%s': cannot resolve '%s': %s", listen, host, gai_strerror(rc));
    return -1;
  }
  const struct addrinfo *pick = NULL;
  for (const struct addrinfo *a = res; a && !pick; a = a->ai_next) if (a->ai_family == AF_INET) pick = a;
  for (const struct addrinfo *a = res; a && !pick; a = a->ai_next) if (a->ai_family == AF_INET6) pick = a;
  if (!pick || pick->ai_addrlen > sizeof out->sa) {
    snprintf(err, errSize, "--listen '%s': '%s' has no IPv4 or IPv6 address", listen, host);
    freeaddrinfo(res);
    return -1;
  }
  memcpy(&out->sa, pick->ai_addr, pick->ai_addrlen);
  out->len = (socklen_t)pick->ai_addrlen;
  if (pick->ai_family == AF_INET) ((struct sockaddr_in *)&out->sa)->sin_port = htons((uint16_t)port);
  else ((struct sockaddr_in6 *)&out->sa)->sin6_port = htons((uint16_t)port);
  freeaddrinfo(res);
  return 0;
}

int campServeParseListen(const char *s, ServeAddr *out, char *err, size_t errSize) {
  static const char how[] = "give ADDRESS:PORT: 127.0.0.1:8080, [::1]:8080, localhost:8080 or :8080 (every address)";
  memset(out, 0, sizeof *out);
  const char *host = s, *hostEnd, *colon;
  int bracketed = s[0] == '[';
  if (bracketed) {
    hostEnd = strchr(s, ']');
    if (!hostEnd) { snprintf(err, errSize, "--listen '%s': no ']' after the IPv6 address; %s", s, how); return -1; }
    host = s + 1;
    colon = hostEnd + 1;
    if (*colon != ':') { snprintf(err, errSize, "--listen '%s': expected ':PORT' after ']'; %s", s, how); return -1; }
  } else {
    colon = strrchr(s, ':');
    if (!colon) { snprintf(err, errSize, "--listen '%s': no port; %s", s, how); return -1; }
    hostEnd = colon;
    if (memchr(s, ':', (size_t)(colon - s))) {
      snprintf(err, errSize, "--listen '%s': an IPv6 address goes in brackets, e.g. [::1]:8080", s);
      return -1;
    }
  }
  char *end;
  const char *p = colon + 1;
  long port = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : -1;
  if (port < 0 || *end || port > 65535) { snprintf(err, errSize, "--listen '%s': the port must be a number from 0 to 65535", s); return -1; }
  size_t hostLen = (size_t)(hostEnd - host);
  if (!hostLen && bracketed) { snprintf(err, errSize, "--listen '%s': empty brackets; %s", s, how); return -1; }
  if (!hostLen) {                              /* ":PORT": every address */
    if (haveIpv6()) {
      struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->sa;
      a6->sin6_family = AF_INET6;
      a6->sin6_addr = in6addr_any;
      a6->sin6_port = htons((uint16_t)port);
      out->len = sizeof *a6;
      out->dual = 1;
    } else {
      struct sockaddr_in *a4 = (struct sockaddr_in *)&out->sa;
      a4->sin_family = AF_INET;
      a4->sin_addr.s_addr = htonl(INADDR_ANY);
      a4->sin_port = htons((uint16_t)port);
      out->len = sizeof *a4;
    }
    return 0;
  }
  char *name = strndup(host, hostLen);
  if (!name) { snprintf(err, errSize, "out of memory"); return -1; }
  int rc = resolve(s, name, bracketed, port, out, err, errSize);
  free(name);
  return rc;
}

/* "http://127.0.0.1:8080" or "http://[::1]:8080" for a's address and port. */
static void addrUrl(const ServeAddr *a, unsigned port, char *out, size_t size) {
  char host[INET6_ADDRSTRLEN + 8] = "?";
  int v6 = a->sa.ss_family == AF_INET6;
  if (v6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->sa)->sin6_addr, host, sizeof host);
  else inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->sa)->sin_addr, host, sizeof host);
  snprintf(out, size, v6 ? "http://[%s]:%u" : "http://%s:%u", host, port);
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
  ServeAddr addr;
  if (campServeParseListen(o->listen, &addr, err, errSize) < 0) return -1;
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
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
  if (addr.sa.ss_family == AF_INET6) flags |= addr.dual ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
  struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
                                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                          MHD_OPTION_THREAD_POOL_SIZE, threads,
                                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
                                          MHD_OPTION_CONNECTION_LIMIT, 4096u,
                                          MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                          MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
                                          MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                          MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                                          MHD_OPTION_END);
  int rc = 0;
  if (!d) {
    snprintf(err, errSize, "cannot listen on %s (in use, or not an address of this machine)", o->listen);
    rc = -1;
  } else {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char url[INET6_ADDRSTRLEN + 32];
    addrUrl(&addr, info ? info->port : 0, url, sizeof url);
    if (o->log) logLine("listening on %s%s", url, addr.dual ? " (every address, IPv6 and IPv4)" : "");
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
    logLine("%ld hits answered, %ld recorded, %ld for unknown messages, %ld lost", srv.answered,
            srv.recorded, srv.unknown, srv.failed);
  }
  MHD_destroy_response(srv.gif);
  MHD_destroy_response(srv.notFound);
  campEngineClose(w);
  pthread_key_delete(srv.reader);
  campTrackKeysFree(srv.keys);
  srv.keys = NULL;
  return rc;
}
