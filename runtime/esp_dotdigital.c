/*
** runtime/esp_dotdigital.c -- the Dotdigital driver: one address book over
** Dotdigital's v2 REST API (docs/SYNC.md; the paths and shapes are those of
** https://r1-api.dotdigital.com/swagger.json, which tests/esp/dotdigital_fake.py
** follows and tests/esp/dotdigital_check.py checks).
**
** Owns: campEspDotdigital -- the region endpoint from account-info, the
** address book found by name (or created), missing data fields created, the
** book's contacts read, deletes in batches of <= 1000 ids, adds and updates
** as one CSV import polled to its end with its faults reported per member,
** unsubscribes and suppressions since a date, the campaigns sent to the book
** and their per-contact totals, and campaigns created and sent for `via`.
** Does not own: HTTP, retries and 429 handling (esp_http.c) or what camp
** does with any of it (sync*.c).
*/
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "runtime/buf.h"
#include "runtime/esp.h"

#define DD_DEFAULT_BASE "https://r1-api.dotdigital.com"
#define DD_PAGE 1000          /* select's maximum (swagger: default and cap 1000) */
#define DD_DELETE_BATCH 1000
#define DD_POLLS 60           /* import status polls before giving up */
#define DD_POLL_FIRST 1.0     /* seconds before the second poll, growing by half each time ... */
#define DD_POLL_CAP 30.0      /* ... up to this, times CAMP_ESP_BACKOFF */
#define DD_EPOCH_START "2000-01-01T00:00:00Z"

/* The driver's own state on an open connection. */
typedef struct DdConn {
  char sendId[64];            /* the last campaign send started on this connection (state of a scheduled send) */
  char sendCampaign[32];
} DdConn;

/* ---- small helpers ------------------------------------------------------------------------------------------ */

/* obj[key], matching the key's case loosely (the reference's camelCase; PascalCase tolerated). */
static json_t *jget(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (v || !json_is_object(obj)) return v;
  const char *k;
  json_object_foreach(obj, k, v) if (!strcasecmp(k, key)) return v;
  return NULL;
}

static const char *jstr(json_t *obj, const char *key) { return json_string_value(jget(obj, key)); }

static long long jint(json_t *obj, const char *key) {
  json_t *v = jget(obj, key);
  return json_is_integer(v) ? (long long)json_integer_value(v) : json_is_string(v) ? atoll(json_string_value(v)) : 0;
}

/* A copy of s lower-cased (malloc'd), NULL when out of memory. */
static char *lowerDup(const char *s) {
  char *d = strdup(s ? s : "");
  for (char *p = d; p && *p; p++) *p = (char)tolower((unsigned char)*p);
  return d;
}

/* An ISO 8601 date-time ("2026-03-20T09:00:00Z", fractions and offsets allowed) as epoch seconds, INT64_MIN if not. */
static int64_t parseDate(const char *s) {
  struct tm tm = { 0 };
  if (!s) return INT64_MIN;
  int n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
             &tm.tm_sec, &n) < 6) {
    if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) < 3) return INT64_MIN;
  }
  if (tm.tm_year < 1900) return INT64_MIN;      /* "0001-01-01T00:00:00": not sent */
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t t = (int64_t)timegm(&tm);
  const char *p = s + n;
  if (*p == '.') for (p++; isdigit((unsigned char)*p); p++) {}
  int oh, om;
  if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
    t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
  return t;
}

static void formatDate(int64_t t, char *out, size_t size) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Sleeps seconds times CAMP_ESP_BACKOFF; 0 when c's stop flag is raised. */
static int waitSeconds(EspConn *c, double seconds) {
  const char *f = getenv("CAMP_ESP_BACKOFF");
  double factor = f && *f ? strtod(f, NULL) : 1.0;
  if (factor < 0) factor = 0;
  double s = seconds * factor;
  struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    if (c->http.stop && *c->http.stop) return 0;
  return !(c->http.stop && *c->http.stop);
}

/* GET path; the answer when the status is 200 (caller decrefs), else NULL with err written. */
static json_t *get(EspConn *c, const char *path, char *err, size_t errSize) {
  json_t *out = NULL;
  int st = campEspHttpJson(&c->http, "GET", path, NULL, &out, err, errSize);
  if (st == 200) return out;
  if (st > 0 && st < 400) snprintf(err, errSize, "dotdigital: GET %s answered %d", path, st);
  json_decref(out);
  return NULL;
}

/* Every page of a select/skip collection: fn for each element until it returns non-zero.  path has its query
** already started or not (sep is "?" or "&").  0, or -1 with err. */
typedef int (*EachFn)(EspConn *c, json_t *item, void *ctx, char *err, size_t errSize);
static int eachPage(EspConn *c, const char *path, EachFn fn, void *ctx, char *err, size_t errSize) {
  const char *sep = strchr(path, '?') ? "&" : "?";
  for (long skip = 0;; skip += DD_PAGE) {
    char *url = NULL;
    if (asprintf(&url, "%s%sselect=%d&skip=%ld", path, sep, DD_PAGE, skip) < 0) {
      snprintf(err, errSize, "dotdigital: out of memory");
      return -1;
    }
    json_t *page = get(c, url, err, errSize);
    free(url);
    if (!page) return -1;
    if (!json_is_array(page)) {
      json_decref(page);
      snprintf(err, errSize, "dotdigital: GET %s: an array expected", path);
      return -1;
    }
    size_t i, n = json_array_size(page);
    json_t *item;
    json_array_foreach(page, i, item) {
      int r = fn(c, item, ctx, err, errSize);
      if (r) {
        json_decref(page);
        return r < 0 ? -1 : 0;
      }
    }
    json_decref(page);
    if (n < DD_PAGE) return 0;
  }
}

/* ---- open: endpoint, address book, data fields -------------------------------------------------------------- */

/* The region endpoint from GET /v2/account-info becomes the base of every later call. */
static int useEndpoint(EspConn *c, char *err, size_t errSize) {
  json_t *acc = get(c, "/v2/account-info", err, errSize);
  if (!acc) return -1;
  const char *ep = NULL;
  size_t i;
  json_t *p;
  json_array_foreach(jget(acc, "properties"), i, p) {
    const char *name = jstr(p, "name");
    if (name && !strcasecmp(name, "ApiEndpoint")) ep = jstr(p, "value");
  }
  char *base = ep && *ep ? strdup(ep) : NULL;
  json_decref(acc);
  if (!base) {
    snprintf(err, errSize, "dotdigital: account-info has no ApiEndpoint property");
    return -1;
  }
  size_t n = strlen(base);
  while (n && base[n - 1] == '/') base[--n] = 0;
  free(c->http.base);
  c->http.base = base;
  return 0;
}

typedef struct FindBook { const char *name; char id[64]; } FindBook;

static int matchBook(EspConn *c, json_t *b, void *ctx, char *err, size_t errSize) {
  FindBook *f = ctx;
  const char *name = jstr(b, "name");
  if (!name || strcasecmp(name, f->name)) return 0;
  snprintf(f->id, sizeof f->id, "%lld", jint(b, "id"));
  return 1;
}

/* c->remoteId: the known id if it still names the book, else the book found by name, else (not a dry run) created. */
static int findBook(EspConn *c, char *err, size_t errSize) {
  if (*c->remoteId) {
    char path[128];
    snprintf(path, sizeof path, "/v2/address-books/%s", c->remoteId);
    json_t *out = NULL;
    int st = campEspHttpJson(&c->http, "GET", path, NULL, &out, err, errSize);
    const char *name = st == 200 ? jstr(out, "name") : NULL;
    int same = name && !strcasecmp(name, c->remote);
    json_decref(out);
    if (same) return 0;
    if (st < 0 || (st >= 400 && st != 404)) return -1;
  }
  FindBook f = { c->remote, "" };
  if (eachPage(c, "/v2/address-books", matchBook, &f, err, errSize) < 0) return -1;
  if (*f.id || c->dryRun) {
    snprintf(c->remoteId, sizeof c->remoteId, "%s", f.id);
    return 0;
  }
  json_t *body = json_pack("{s:s, s:s}", "name", c->remote, "visibility", "Private"), *out = NULL;
  int st = body ? campEspHttpJson(&c->http, "POST", "/v2/address-books", body, &out, err, errSize) : -1;
  json_decref(body);
  long long id = jint(out, "id");
  json_decref(out);
  if (st != 201 && st != 200) {
    if (st > 0 && st < 400) snprintf(err, errSize, "dotdigital: creating address book %s answered %d", c->remote, st);
    return -1;
  }
  snprintf(c->remoteId, sizeof c->remoteId, "%lld", id);
  return 0;
}

/* Every data field of c->tags the account lacks is created (String, Private). */
static int ensureFields(EspConn *c, char *err, size_t errSize) {
  if (!c->nfield || c->dryRun) return 0;
  json_t *fields = get(c, "/v2/data-fields", err, errSize);
  if (!fields) return -1;
  int rc = 0;
  for (size_t t = 0; t < c->nfield && rc == 0; t++) {
    size_t i;
    json_t *f;
    int have = 0;
    json_array_foreach(fields, i, f) {
      const char *name = jstr(f, "name");
      if (name && !strcasecmp(name, c->tags[t])) have = 1;
    }
    if (have) continue;
    json_t *body = json_pack("{s:s, s:s, s:s, s:n}", "name", c->tags[t], "type", "String", "visibility", "Private",
                             "defaultValue"), *out = NULL;
    int st = body ? campEspHttpJson(&c->http, "POST", "/v2/data-fields", body, &out, err, errSize) : -1;
    json_decref(body);
    json_decref(out);
    if (st < 200 || st >= 300) rc = -1;
  }
  json_decref(fields);
  return rc;
}

static int ddOpen(EspConn *c, char *err, size_t errSize) {
  const char *user = getenv("CAMP_DOTDIGITAL_USER"), *password = getenv("CAMP_DOTDIGITAL_PASSWORD");
  const char *base = getenv("CAMP_DOTDIGITAL_URL");
  if (!user || !*user || !password || !*password) {
    snprintf(err, errSize, "%s is not set (an API user and its password: docs/SYNC.md)",
             !user || !*user ? "CAMP_DOTDIGITAL_USER" : "CAMP_DOTDIGITAL_PASSWORD");
    return -1;
  }
  if (!(c->drv = calloc(1, sizeof(DdConn)))) {
    snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  if (campEspHttpOpen(&c->http, "dotdigital", base && *base ? base : DD_DEFAULT_BASE, user, password, err,
                      errSize) < 0)
    return -1;
  if (useEndpoint(c, err, errSize) < 0 || findBook(c, err, errSize) < 0 || ensureFields(c, err, errSize) < 0)
    return -1;
  c->http.readOnly = c->dryRun;
  return 0;
}

static void ddClose(EspConn *c) {
  campEspHttpClose(&c->http);
  free(c->drv);
  c->drv = NULL;
}

/* ---- members ------------------------------------------------------------------------------------------------ */

/* Dotdigital's contact status as camp's. */
static EspStatus memberStatus(const char *s) {
  if (!s) return ESP_OTHER;
  if (!strcasecmp(s, "Subscribed") || !strcasecmp(s, "SoftBounced")) return ESP_SUBSCRIBED;
  if (!strcasecmp(s, "Unsubscribed")) return ESP_UNSUBSCRIBED;
  if (!strcasecmp(s, "HardBounced")) return ESP_CLEANED;
  if (!strcasecmp(s, "IspComplained") || !strcasecmp(s, "DirectComplaint")) return ESP_COMPLAINED;
  return ESP_OTHER;            /* PendingOptIn, Suppressed, MailBlocked, ... */
}

/* A data field's value as text (malloc'd), NULL for null or empty. */
static char *valueText(json_t *v) {
  char num[64];
  if (json_is_string(v)) return *json_string_value(v) ? strdup(json_string_value(v)) : NULL;
  if (json_is_integer(v)) snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else if (json_is_real(v)) snprintf(num, sizeof num, "%.15g", json_real_value(v));
  else if (json_is_boolean(v)) snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : "false");
  else return NULL;
  return strdup(num);
}

static int addMember(EspConn *c, json_t *ct, void *ctx, char *err, size_t errSize) {
  EspMembers *out = ctx;
  EspMember *m = campEspMembersAdd(out, c->nfield);
  char id[32];
  snprintf(id, sizeof id, "%lld", jint(ct, "id"));
  if (!m || !(m->email = lowerDup(jstr(ct, "email"))) || !(m->id = strdup(id))) {
    snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  m->status = memberStatus(jstr(ct, "status"));
  size_t i;
  json_t *d;
  json_array_foreach(jget(ct, "dataFields"), i, d) {
    const char *key = jstr(d, "key");
    for (size_t f = 0; key && f < c->nfield; f++)
      if (!strcasecmp(key, c->tags[f]) && !m->values[f]) m->values[f] = valueText(jget(d, "value"));
  }
  return 0;
}

static int ddMembers(EspConn *c, EspMembers *out, char *err, size_t errSize) {
  if (!*c->remoteId) return 0;
  char path[128];
  snprintf(path, sizeof path, "/v2/address-books/%s/contacts?withFullData=true", c->remoteId);
  return eachPage(c, path, addMember, out, err, errSize);
}

/* ---- apply: deletes, then one CSV import ------------------------------------------------------------------- */

/* One CSV field, quoted when it holds a comma, a quote, a line break or edge spaces (RFC 4180). */
static void csvField(Buf *b, const char *s) {
  s = s ? s : "";
  size_t n = strlen(s);
  int quote = strpbrk(s, ",\"\r\n") != NULL || (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])));
  if (!quote) {
    campBufPut(b, s, n);
    return;
  }
  campBufPut(b, "\"", 1);
  for (const char *p = s; *p; p++) {
    if (*p == '"') campBufPut(b, "\"", 1);
    campBufPut(b, p, 1);
  }
  campBufPut(b, "\"", 1);
}

/* POST /v2/address-books/{id}/contacts/delete for ids (one batch); members refused by a failed batch go to fail. */
static int deleteBatch(EspConn *c, const EspChange *const *v, size_t n, EspFailFn fail, void *ctx, char *err,
                       size_t errSize) {
  json_t *ids = json_array(), *out = NULL;
  for (size_t i = 0; ids && i < n; i++) json_array_append_new(ids, json_integer(atoll(v[i]->id)));
  char path[128];
  snprintf(path, sizeof path, "/v2/address-books/%s/contacts/delete", c->remoteId);
  int st = ids ? campEspHttpJson(&c->http, "POST", path, ids, &out, err, errSize) : -1;
  json_decref(ids);
  json_decref(out);
  if (st >= 200 && st < 300) return 0;
  if (st > 0 && st < 400) snprintf(err, errSize, "dotdigital: POST %s answered %d", path, st);
  for (size_t i = 0; i < n; i++) fail(ctx, v[i]->email, err);
  return -1;
}

static int applyDeletes(EspConn *c, const EspChange *ch, size_t n, EspFailFn fail, void *ctx, size_t *done,
                        char *err, size_t errSize) {
  const EspChange **batch = malloc(DD_DELETE_BATCH * sizeof *batch);
  if (!batch) {
    snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (ch[i].op != ESP_REMOVE && ch[i].op != ESP_UNSUBSCRIBE && ch[i].op != ESP_DELETE) continue;
    if (!ch[i].id || !*ch[i].id) {
      fail(ctx, ch[i].email, "dotdigital: not a contact of the address book (no contact id)");
      continue;
    }
    batch[k++] = &ch[i];
    if (k == DD_DELETE_BATCH) {
      if (deleteBatch(c, batch, k, fail, ctx, err, errSize) == 0) *done += k;
      k = 0;
    }
  }
  if (k && deleteBatch(c, batch, k, fail, ctx, err, errSize) == 0) *done += k;
  free(batch);
  return 0;
}

/* The import file of every ADD and UPDATE: Email, OptInType, EmailType, then the data fields. 0 rows: none. */
static size_t buildCsv(EspConn *c, const EspChange *ch, size_t n, Buf *b) {
  size_t rows = 0;
  campBufPuts(b, "Email,OptInType,EmailType");
  for (size_t f = 0; f < c->nfield; f++) {
    campBufPut(b, ",", 1);
    csvField(b, c->tags[f]);
  }
  campBufPut(b, "\r\n", 2);
  for (size_t i = 0; i < n; i++) {
    if (ch[i].op != ESP_ADD && ch[i].op != ESP_UPDATE) continue;
    csvField(b, ch[i].email);
    campBufPuts(b, ",Single,Html");
    for (size_t f = 0; f < c->nfield; f++) {
      campBufPut(b, ",", 1);
      csvField(b, ch[i].values ? ch[i].values[f] : NULL);
    }
    campBufPut(b, "\r\n", 2);
    rows++;
  }
  return rows;
}

/* Polls GET /v2/contacts/import/{id} until it is no longer NotFinished: 0 Finished, -1 with the status named
** (messages leave the import's GUID out: camp's output stays the same from run to run). */
static int pollImport(EspConn *c, const char *id, char *err, size_t errSize) {
  char path[160];
  snprintf(path, sizeof path, "/v2/contacts/import/%s", id);
  double wait = DD_POLL_FIRST;
  for (int poll = 0; poll < DD_POLLS; poll++) {
    json_t *out = get(c, path, err, errSize);
    if (!out) return -1;
    char status[64];
    snprintf(status, sizeof status, "%s", jstr(out, "status") ? jstr(out, "status") : "");
    json_decref(out);
    if (!strcasecmp(status, "Finished")) return 0;
    if (strcasecmp(status, "NotFinished")) {
      snprintf(err, errSize, "dotdigital: the contact import ended %s", *status ? status : "without a status");
      return -1;
    }
    if (poll == 0 && c->log) fprintf(c->log, "sync %s: dotdigital: waiting for the contact import\n", c->sync);
    if (!waitSeconds(c, wait)) {
      snprintf(err, errSize, "dotdigital: interrupted while waiting for the contact import");
      return -1;
    }
    wait = wait * 1.5 < DD_POLL_CAP ? wait * 1.5 : DD_POLL_CAP;
  }
  snprintf(err, errSize, "dotdigital: the contact import had not finished after %d polls", DD_POLLS);
  return -1;
}

/* The next CSV record of *p (RFC 4180), its fields in f (cap nf); the number of fields, or -1 at the end. */
static int csvRecord(const char **p, Buf *scratch, char **f, int nf) {
  const char *s = *p;
  if (!*s) return -1;
  scratch->n = 0;
  size_t starts[64];
  int n = 0;
  for (;;) {
    if (n < nf && n < 64) starts[n] = scratch->n;
    n++;
    if (*s == '"') {
      for (s++; *s; s++) {
        if (*s == '"' && s[1] == '"') s++;
        else if (*s == '"') { s++; break; }
        campBufPut(scratch, s, 1);
      }
    }
    while (*s && *s != ',' && *s != '\r' && *s != '\n') campBufPut(scratch, s++, 1);
    campBufPut(scratch, "", 1);
    if (*s == ',') { s++; continue; }
    if (*s == '\r') s++;
    if (*s == '\n') s++;
    break;
  }
  *p = s;
  for (int i = 0; i < n && i < nf && i < 64; i++) f[i] = scratch->p + starts[i];
  return n;
}

/* The faults report of a finished import: each refused row to fail() with Dotdigital's reason. */
static void reportFaults(EspConn *c, const char *id, EspFailFn fail, void *ctx) {
  char path[160], err[512];
  snprintf(path, sizeof path, "/v2/contacts/import/%s/report-faults", id);
  json_t *out = NULL;
  int st = campEspHttpJson(&c->http, "GET", path, NULL, &out, err, sizeof err);
  const char *csv = st == 200 ? json_string_value(out) : NULL;     /* the CSV file, a text answer */
  if (st != 200 && c->log) fprintf(c->log, "sync %s: %s\n", c->sync, err);
  if (csv) {
    Buf scratch = { 0 };
    char *f[64];
    int reason = -1, email = -1, n = csvRecord(&csv, &scratch, f, 64);
    for (int i = 0; i < n && i < 64; i++) {
      if (!strcasecmp(f[i], "Reason")) reason = i;
      else if (!strcasecmp(f[i], "Email")) email = i;
    }
    while (reason >= 0 && email >= 0 && (n = csvRecord(&csv, &scratch, f, 64)) >= 0) {
      if (n <= reason || n <= email || !*f[email]) continue;
      char *lower = lowerDup(f[email]);
      char why[512];
      snprintf(why, sizeof why, "dotdigital: %s", f[reason]);
      if (lower) fail(ctx, lower, why);
      free(lower);
    }
    campBufFree(&scratch);
  }
  json_decref(out);
}

static int applyImport(EspConn *c, const EspChange *ch, size_t n, EspFailFn fail, void *ctx, char *err,
                       size_t errSize) {
  Buf b = { 0 };
  size_t rows = buildCsv(c, ch, n, &b);
  if (b.oom) {
    campBufFree(&b);
    snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  if (!rows) {
    campBufFree(&b);
    return 0;
  }
  char path[128];
  snprintf(path, sizeof path, "/v2/address-books/%s/contacts/import", c->remoteId);
  json_t *out = NULL;
  int st = campEspHttpUpload(&c->http, path, "file", "camp.csv", "text/csv", b.p, b.n, &out, err, errSize);
  campBufFree(&b);
  char id[64];
  snprintf(id, sizeof id, "%s", jstr(out, "id") ? jstr(out, "id") : "");
  json_decref(out);
  if (st < 200 || st >= 300 || !*id) {
    if (st > 0 && st < 400) snprintf(err, errSize, "dotdigital: the contact import answered %d without an id", st);
    return -1;
  }
  if (pollImport(c, id, err, errSize) < 0) return -1;
  reportFaults(c, id, fail, ctx);
  return 0;
}

static int ddApply(EspConn *c, const EspChange *ch, size_t n, EspFailFn fail, void *ctx, char *err, size_t errSize) {
  if (!*c->remoteId) {
    snprintf(err, errSize, "dotdigital: no address book");
    return -1;
  }
  size_t deleted = 0;
  if (applyDeletes(c, ch, n, fail, ctx, &deleted, err, errSize) < 0) return -1;
  return applyImport(c, ch, n, fail, ctx, err, errSize);
}

/* The end of a walk since a cursor: -1 with err (out of memory when nothing said why), or 0 with next the latest
** date seen (the cursor itself when nothing was). */
static int endWalk(int rc, int64_t latest, const char *cursor, char *next, size_t nextSize, char *err, size_t errSize) {
  if (rc < 0) {
    if (!*err) snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  if (latest != INT64_MIN) formatDate(latest, next, nextSize);
  else snprintf(next, nextSize, "%s", cursor ? cursor : "");
  return 0;
}

/* ---- statuses ----------------------------------------------------------------------------------------------- */

/* A suppression reason as camp's status; 0 for those camp does not act on (soft bounces, pending...). */
static EspStatus suppressionStatus(const char *r) {
  static const char *const unsub[] = { "Unsubscribed", "Suppressed", "SharedSuppression", "DomainSuppression",
                                       "NotAllowed", "Deleted" };
  if (!r) return 0;
  for (size_t i = 0; i < sizeof unsub / sizeof *unsub; i++) if (!strcasecmp(r, unsub[i])) return ESP_UNSUBSCRIBED;
  if (!strcasecmp(r, "HardBounced") || !strcasecmp(r, "NoMxRecord")) return ESP_CLEANED;
  if (!strcasecmp(r, "IspComplained") || !strcasecmp(r, "DirectComplaint")) return ESP_COMPLAINED;
  return 0;
}

typedef struct StatusWalk {
  EspStatusFn fn;
  void *ctx;
  int64_t latest;
  char **seen;              /* emails reported from the book's unsubscribes (sorted after that walk) */
  size_t nseen, capSeen;
  int account;              /* walking the account's suppressions: skip unsubscribes seen in the book */
} StatusWalk;

static int cmpStr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int oneStatus(EspConn *c, json_t *s, void *ctx, char *err, size_t errSize) {
  StatusWalk *w = ctx;
  const char *reason = jstr(s, "reason");
  EspStatus st = suppressionStatus(reason);
  char *email = lowerDup(jstr(jget(s, "suppressedContact"), "email"));
  if (!email) {
    snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  int64_t at = parseDate(jstr(s, "dateRemoved"));
  if (at != INT64_MIN && at > w->latest) w->latest = at;
  int skip = !st || !*email;
  if (!skip && w->account && st == ESP_UNSUBSCRIBED && w->nseen)
    skip = bsearch(&email, w->seen, w->nseen, sizeof *w->seen, cmpStr) != NULL;
  int rc = 0;
  if (!skip) {
    EspStatusChange x = { email, st, at, reason };
    rc = w->fn(w->ctx, &x);
  }
  if (!skip && !w->account && w->nseen == w->capSeen) {
    size_t cap = w->capSeen ? 2 * w->capSeen : 64;
    char **v = realloc(w->seen, cap * sizeof *v);
    if (v) { w->seen = v; w->capSeen = cap; }
  }
  if (!skip && !w->account && w->nseen < w->capSeen) w->seen[w->nseen++] = email;
  else free(email);
  return rc ? -1 : 0;
}

static int ddStatuses(EspConn *c, const char *cursor, EspStatusFn fn, void *ctx, char *next, size_t nextSize,
                      char *err, size_t errSize) {
  if (errSize) *err = 0;
  const char *from = cursor && *cursor ? cursor : DD_EPOCH_START;
  char *since = campEspHttpEscape(from), *path = NULL;
  StatusWalk w = { fn, ctx, parseDate(from), NULL, 0, 0, 0 };
  int rc = since ? 0 : -1;
  if (rc == 0 && *c->remoteId) {
    rc = asprintf(&path, "/v2/address-books/%s/contacts/unsubscribed-since/%s", c->remoteId, since) < 0 ? -1
         : eachPage(c, path, oneStatus, &w, err, errSize);
    free(path);
    path = NULL;
  }
  if (w.nseen) qsort(w.seen, w.nseen, sizeof *w.seen, cmpStr);
  w.account = 1;
  if (rc == 0)
    rc = asprintf(&path, "/v2/contacts/suppressed-since/%s", since) < 0 ? -1 : eachPage(c, path, oneStatus, &w, err,
                                                                                          errSize);
  free(path);
  free(since);
  for (size_t i = 0; i < w.nseen; i++) free(w.seen[i]);
  free(w.seen);
  return endWalk(rc, w.latest, cursor, next, nextSize, err, errSize);
}

/* ---- campaigns and activity --------------------------------------------------------------------------------- */

typedef struct CampaignWalk { EspCampaignFn fn; void *ctx; int64_t since, latest; } CampaignWalk;

static int oneCampaign(EspConn *c, json_t *cp, void *ctx, char *err, size_t errSize) {
  CampaignWalk *w = ctx;
  const char *status = jstr(cp, "status");
  if (!status || strcasecmp(status, "Sent")) return 0;
  char id[32], path[96];
  snprintf(id, sizeof id, "%lld", jint(cp, "id"));
  snprintf(path, sizeof path, "/v2/campaigns/%s/summary", id);
  json_t *sum = get(c, path, err, errSize);
  if (!sum) return -1;
  int64_t sent = parseDate(jstr(sum, "dateSent"));
  json_decref(sum);
  if (sent == INT64_MIN || sent < w->since) return 0;
  if (sent > w->latest) w->latest = sent;
  EspCampaign x = { id, jstr(cp, "name"), jstr(cp, "subject"), sent };
  return w->fn(w->ctx, &x) ? -1 : 0;
}

static int ddCampaigns(EspConn *c, const char *cursor, EspCampaignFn fn, void *ctx, char *next, size_t nextSize,
                       char *err, size_t errSize) {
  CampaignWalk w = { fn, ctx, cursor && *cursor ? parseDate(cursor) : INT64_MIN, INT64_MIN };
  snprintf(next, nextSize, "%s", cursor ? cursor : "");
  if (!*c->remoteId) return 0;
  char path[128];
  snprintf(path, sizeof path, "/v2/address-books/%s/campaigns", c->remoteId);
  if (eachPage(c, path, oneCampaign, &w, err, errSize) < 0) return -1;
  if (w.latest != INT64_MIN) formatDate(w.latest, next, nextSize);
  return 0;
}

typedef struct ActivityWalk { EspActivityFn fn; void *ctx; int64_t latest; } ActivityWalk;

static int emit(ActivityWalk *w, const char *email, EspActKind kind, int64_t at, int hard, long count) {
  EspActivity a = { email, kind, at, NULL, hard, NULL, count };
  return w->fn(w->ctx, &a);
}

/* One contact's totals: sent once, its opens and clicks, a bounce, an unsubscribe. */
static int oneActivity(EspConn *c, json_t *r, void *ctx, char *err, size_t errSize) {
  ActivityWalk *w = ctx;
  char *email = lowerDup(jstr(r, "email"));
  if (!email) {
    snprintf(err, errSize, "dotdigital: out of memory");
    return -1;
  }
  int64_t sent = parseDate(jstr(r, "dateSent")), opened = parseDate(jstr(r, "dateLastOpened"));
  if (sent > w->latest) w->latest = sent;
  if (opened > w->latest) w->latest = opened;
  long opens = (long)jint(r, "numOpens"), clicks = (long)jint(r, "numClicks");
  int rc = !*email ? 0 : emit(w, email, ESP_ACT_SENT, sent, 0, 1);
  if (!rc && *email && opens > 0) rc = emit(w, email, ESP_ACT_OPEN, opened, 0, opens);
  if (!rc && *email && clicks > 0) rc = emit(w, email, ESP_ACT_CLICK, INT64_MIN, 0, clicks);
  if (!rc && *email && (json_is_true(jget(r, "hardBounced")) || json_is_true(jget(r, "softBounced"))))
    rc = emit(w, email, ESP_ACT_BOUNCE, sent, json_is_true(jget(r, "hardBounced")), 1);
  if (!rc && *email && json_is_true(jget(r, "unsubscribed"))) rc = emit(w, email, ESP_ACT_UNSUB, INT64_MIN, 0, 1);
  free(email);
  return rc ? -1 : 0;
}

static int ddActivity(EspConn *c, const char *id, const char *cursor, EspActivityFn fn, void *ctx, char *next,
                      size_t nextSize, char *err, size_t errSize) {
  if (errSize) *err = 0;
  ActivityWalk w = { fn, ctx, cursor && *cursor ? parseDate(cursor) : INT64_MIN };
  char *cid = campEspHttpEscape(id), *since = cursor && *cursor ? campEspHttpEscape(cursor) : NULL, *path = NULL;
  int rc = -1;
  if (cid && (!cursor || !*cursor || since)) {
    if ((since ? asprintf(&path, "/v2/campaigns/%s/activities/since-date/%s", cid, since)
               : asprintf(&path, "/v2/campaigns/%s/activities", cid)) >= 0)
      rc = eachPage(c, path, oneActivity, &w, err, errSize);
  }
  free(path);
  free(cid);
  free(since);
  return endWalk(rc, w.latest, cursor, next, nextSize, err, errSize);
}

/* ---- via: create, send, state ------------------------------------------------------------------------------- */

/* The body of POST /v2/campaigns (swagger ApiCampaign: name <= 255, subject, fromName, htmlContent,
** plainTextContent required).  NULL with err when a text is not UTF-8. */
static json_t *campaignBody(const EspMailing *m, char *err, size_t errSize) {
  const char *name = m->title && *m->title ? m->title : m->name;
  char cut[256];
  snprintf(cut, sizeof cut, "%s", name ? name : "camp");
  const char *keys[] = { "name", "subject", "fromName", "htmlContent", "plainTextContent" };
  const char *vals[] = { cut, m->subject, m->fromName && *m->fromName ? m->fromName : m->fromEmail, m->html, m->text };
  json_t *body = json_object();
  for (size_t i = 0; body && i < sizeof keys / sizeof *keys; i++) {
    json_t *v = json_string(vals[i] ? vals[i] : "");   /* unmarked by sync_deliver.c; NULL: not UTF-8 */
    if (!v || json_object_set_new(body, keys[i], v) < 0) {
      snprintf(err, errSize, "dotdigital: the campaign's %s is not UTF-8 text", keys[i]);
      json_decref(body);
      return NULL;
    }
  }
  if (!body) snprintf(err, errSize, "dotdigital: out of memory");
  return body;
}

static int ddCreate(EspConn *c, const EspMailing *m, char *id, size_t idSize, char *err, size_t errSize) {
  if (errSize) *err = 0;
  json_t *body = campaignBody(m, err, errSize), *out = NULL;
  if (!body) return -1;
  int st = campEspHttpJson(&c->http, "POST", "/v2/campaigns", body, &out, err, errSize);
  json_decref(body);
  long long cid = jint(out, "id");
  json_decref(out);
  if (st < 200 || st >= 300 || cid <= 0) {
    if (st > 0 && st < 400) snprintf(err, errSize, "dotdigital: creating the campaign answered %d without an id", st);
    return -1;
  }
  snprintf(id, idSize, "%lld", cid);
  return 0;
}

static int ddSend(EspConn *c, const char *id, int64_t at, char *err, size_t errSize) {
  if (errSize) *err = 0;
  if (!*c->remoteId) {
    snprintf(err, errSize, "dotdigital: no address book");
    return -1;
  }
  json_t *body = json_pack("{s:I, s:[I]}", "campaignId", (json_int_t)atoll(id), "addressBookIds",
                           (json_int_t)atoll(c->remoteId)), *out = NULL;
  char when[40];
  if (body && at > 0) {
    formatDate(at, when, sizeof when);
    json_object_set_new(body, "sendDate", json_string(when));
  }
  int st = body ? campEspHttpJson(&c->http, "POST", "/v2/campaigns/send", body, &out, err, errSize) : -1;
  json_decref(body);
  DdConn *d = c->drv;
  if (d && jstr(out, "id")) {
    snprintf(d->sendId, sizeof d->sendId, "%s", jstr(out, "id"));
    snprintf(d->sendCampaign, sizeof d->sendCampaign, "%s", id);
  }
  json_decref(out);
  if (st >= 200 && st < 300) return 0;
  if (st > 0 && st < 400) snprintf(err, errSize, "dotdigital: sending campaign %s answered %d", id, st);
  if (st < 0 && !*err) snprintf(err, errSize, "dotdigital: out of memory");
  return -1;
}

static int ddState(EspConn *c, const char *id, int *sent, char *err, size_t errSize) {
  char path[128];
  *sent = 0;
  DdConn *d = c->drv;
  if (d && *d->sendId && !strcmp(d->sendCampaign, id)) {        /* a send started here: its progress */
    snprintf(path, sizeof path, "/v2/campaigns/send/%s", d->sendId);
    json_t *s = get(c, path, err, errSize);
    if (!s) return -1;
    const char *st = jstr(s, "status");
    *sent = st && (!strcasecmp(st, "Scheduled") || !strcasecmp(st, "Sending") || !strcasecmp(st, "Sent"));
    json_decref(s);
    return 0;
  }
  snprintf(path, sizeof path, "/v2/campaigns/%lld", atoll(id));
  json_t *cp = get(c, path, err, errSize);
  if (!cp) return -1;
  const char *st = jstr(cp, "status");
  *sent = st && (!strcasecmp(st, "Sending") || !strcasecmp(st, "Sent"));
  json_decref(cp);
  return 0;
}

const EspDriver campEspDotdigital = {
  .name = "dotdigital",
  .totals = 1,
  .mergeTag = "@%s@",
  .open = ddOpen,
  .close = ddClose,
  .members = ddMembers,
  .apply = ddApply,
  .statuses = ddStatuses,
  .campaigns = ddCampaigns,
  .activity = ddActivity,
  .create = ddCreate,
  .send = ddSend,
  .state = ddState,
};
