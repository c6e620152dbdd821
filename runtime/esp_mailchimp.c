/*
** runtime/esp_mailchimp.c -- the Mailchimp driver (Marketing API 3.0):
** an audience's static segment mirrored from a camp list, its members'
** status changes, campaigns and per-member activity brought home, and
** mailings delivered as Mailchimp campaigns (docs/SYNC.md).
**
** Owns: the API's paths, parameters and shapes -- the audience check, the
** static segment found by name (paging every segment) or created, missing
** merge fields created (type text), segment members read 1000 a page,
** changes as batch subscribes (POST /lists/{id}, <= 500 members) and
** segment batches (members_to_add / members_to_remove, <= 500 each),
** archiving (DELETE /lists/{id}/members/{md5 of the lower-cased address}),
** the cursors (ISO 8601 times) of the imports, activity keys
** "cid|email|action|timestamp|url", campaign create / content / send /
** schedule (rounded up to Mailchimp's quarter-hour).
** Does not own: HTTP and retries (esp_http.c), what to change or import
** (runtime/sync*.c), the database.
*/
#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/clock.h"
#include "runtime/esp.h"

#define MC_PAGE 1000          /* count per page: the API's maximum */
#define MC_BATCH 500          /* members per batch subscribe / segment batch */
#define MC_QUARTER 900        /* schedule times: on the quarter-hour */
#define MC_MARGIN 300         /* activity re-read before its cursor (keys make it idempotent) */

typedef struct McConn {
  char *list;                 /* "/lists/<escaped audience id>" */
} McConn;

/* ---- small helpers ------------------------------------------------------------------------------------------- */

static const char *jstr(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

static int oom(char *err, size_t errSize) {
  snprintf(err, errSize, "mailchimp: out of memory");
  return -1;
}

static char *lowerDup(const char *s) {
  char *r = strdup(s ? s : "");
  for (char *p = r; p && *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  return r;
}

/* Mailchimp's times ("2026-03-20T09:00:00+00:00") as epoch seconds; INT64_MIN when absent or unreadable. */
static int64_t parseTime(const char *s) {
  int64_t t;
  return s && *s && campClockParseIso(s, &t) == 0 ? t : INT64_MIN;
}

static void formatTime(int64_t t, char *out, size_t size) {
  char iso[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(t, iso);
  size_t n = strlen(iso);
  if (n && iso[n - 1] == 'Z') iso[n - 1] = 0;
  snprintf(out, size, "%s+00:00", iso);
}

/* The subscriber hash: md5 of the lower-cased address, in hex. */
static void subscriberHash(const char *email, char out[33]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  char *lower = lowerDup(email);
  EVP_Digest(lower ? lower : "", lower ? strlen(lower) : 0, md, &n, EVP_md5(), NULL);
  free(lower);
  for (unsigned i = 0; i < n && i < 16; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
  out[32] = 0;
}

/* method path with body; the answer when the status is 2xx (*out, NULL for 204), else -1 with err. */
static int call(EspConn *c, const char *method, const char *path, json_t *body, json_t **out, char *err,
                size_t errSize) {
  json_t *o = NULL;
  int st = campEspHttpJson(&c->http, method, path, body, &o, err, errSize);
  if (st >= 200 && st < 300) {
    if (out) *out = o;
    else json_decref(o);
    return st;
  }
  if (st > 0 && st < 400) snprintf(err, errSize, "mailchimp: %s %s answered %d", method, path, st);
  json_decref(o);
  if (out) *out = NULL;
  return st > 0 ? -st : -1;
}

/* Every page (count 1000, offset) of the collection `key` at path: fn for each element until it returns
** non-zero (< 0 an error, > 0 enough).  0, or -1 with err. */
typedef int (*EachFn)(EspConn *c, json_t *item, void *ctx, char *err, size_t errSize);
static int eachPage(EspConn *c, const char *path, const char *key, EachFn fn, void *ctx, char *err, size_t errSize) {
  const char *sep = strchr(path, '?') ? "&" : "?";
  for (long offset = 0;; offset += MC_PAGE) {
    char *url = NULL;
    if (asprintf(&url, "%s%scount=%d&offset=%ld", path, sep, MC_PAGE, offset) < 0) return oom(err, errSize);
    json_t *page = NULL;
    int st = call(c, "GET", url, NULL, &page, err, errSize);
    free(url);
    if (st < 0) return -1;
    json_t *items = json_object_get(page, key);
    if (!json_is_array(items)) {
      json_decref(page);
      snprintf(err, errSize, "mailchimp: GET %s: no '%s' in the answer", path, key);
      return -1;
    }
    size_t i, n = json_array_size(items);
    json_t *total = json_object_get(page, "total_items");
    json_t *item;
    json_array_foreach(items, i, item) {
      int r = fn(c, item, ctx, err, errSize);
      if (r) {
        json_decref(page);
        if (r < 0 && !*err) snprintf(err, errSize, "mailchimp: stopped");
        return r < 0 ? -1 : 0;
      }
    }
    json_decref(page);
    if (n < MC_PAGE || (json_is_integer(total) && offset + (long)n >= (long)json_integer_value(total))) return 0;
  }
}

/* ---- open: credentials, audience, segment, merge fields --------------------------------------------------------- */

static int matchSegment(EspConn *c, json_t *s, void *ctx, char *err, size_t errSize) {
  const char *name = ctx;
  const char *sname = jstr(s, "name");
  if (!sname || strcmp(sname, name)) return 0;
  snprintf(c->remoteId, sizeof c->remoteId, "%lld", (long long)json_integer_value(json_object_get(s, "id")));
  return 1;
}

/* remoteId: the known segment when it still exists with that name, else found by name, else (unless a dry run)
** created; "" in a dry run when there is none yet. */
static int findSegment(EspConn *c, char *err, size_t errSize) {
  McConn *m = c->drv;
  const char *name = c->segment ? c->segment : c->sync;
  char *path = NULL;
  if (*c->remoteId) {
    json_t *s = NULL;
    if (asprintf(&path, "%s/segments/%s", m->list, c->remoteId) < 0) return oom(err, errSize);
    int st = call(c, "GET", path, NULL, &s, err, errSize);
    free(path);
    path = NULL;
    const char *sname = jstr(s, "name");
    int same = st > 0 && sname && !strcmp(sname, name);
    json_decref(s);
    if (same) return 0;
    if (st < 0 && st != -404) return -1;
    *c->remoteId = 0;
  }
  if (asprintf(&path, "%s/segments?type=static", m->list) < 0) return oom(err, errSize);
  int rc = eachPage(c, path, "segments", matchSegment, (void *)name, err, errSize);
  free(path);
  if (rc < 0 || *c->remoteId || c->dryRun) return rc;
  json_t *body = json_pack("{s:s, s:[]}", "name", name, "static_segment"), *s = NULL;
  if (!body || asprintf(&path, "%s/segments", m->list) < 0) {
    json_decref(body);
    return oom(err, errSize);
  }
  int st = call(c, "POST", path, body, &s, err, errSize);
  free(path);
  json_decref(body);
  if (st < 0) return -1;
  snprintf(c->remoteId, sizeof c->remoteId, "%lld", (long long)json_integer_value(json_object_get(s, "id")));
  json_decref(s);
  return 0;
}

static int collectTag(EspConn *c, json_t *f, void *ctx, char *err, size_t errSize) {
  const char *tag = jstr(f, "tag");
  if (tag && json_object_set_new(ctx, tag, json_true()) < 0) return oom(err, errSize);
  return 0;
}

/* Any of c->tags the audience lacks: created as text merge fields (not in a dry run). */
static int ensureFields(EspConn *c, char *err, size_t errSize) {
  McConn *m = c->drv;
  json_t *have = json_object();
  char *path = NULL;
  if (!have || asprintf(&path, "%s/merge-fields", m->list) < 0) {
    json_decref(have);
    return oom(err, errSize);
  }
  int rc = eachPage(c, path, "merge_fields", collectTag, have, err, errSize);
  for (size_t i = 0; rc == 0 && !c->dryRun && i < c->nfield; i++) {
    if (json_object_get(have, c->tags[i])) continue;
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", c->tags[i], "type", "text", "tag", c->tags[i]);
    if (!body) rc = oom(err, errSize);
    else if (call(c, "POST", path, body, NULL, err, errSize) < 0) rc = -1;
    json_decref(body);
  }
  free(path);
  json_decref(have);
  return rc;
}

/* The base URL from CAMP_MAILCHIMP_URL, else the data center after the key's last '-'. */
static int baseUrl(const char *key, char **base, char *err, size_t errSize) {
  const char *url = getenv("CAMP_MAILCHIMP_URL");
  if (url && *url) {
    *base = strdup(url);
    return *base ? 0 : oom(err, errSize);
  }
  const char *dash = strrchr(key, '-');
  if (!dash || !dash[1] || strspn(dash + 1, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(dash + 1)) {
    snprintf(err, errSize, "CAMP_MAILCHIMP_KEY does not end in -<dc>, the data center (e.g. -us6): docs/SYNC.md");
    return -1;
  }
  return asprintf(base, "https://%s.api.mailchimp.com/3.0", dash + 1) < 0 ? oom(err, errSize) : 0;
}

static int mcOpen(EspConn *c, char *err, size_t errSize) {
  const char *key = getenv("CAMP_MAILCHIMP_KEY");
  if (!key || !*key) {
    snprintf(err, errSize, "CAMP_MAILCHIMP_KEY is not set (an API key ending in -<dc>: docs/SYNC.md)");
    return -1;
  }
  char *base = NULL, *id = NULL;
  if (baseUrl(key, &base, err, errSize) < 0) return -1;
  McConn *m = c->drv = calloc(1, sizeof *m);
  int rc = m && (id = campEspHttpEscape(c->remote)) && asprintf(&m->list, "/lists/%s", id) >= 0 ? 0 : oom(err, errSize);
  free(id);
  if (rc == 0) rc = campEspHttpOpen(&c->http, "mailchimp", base, "camp", key, err, errSize);
  free(base);
  if (rc < 0) return -1;
  int st = call(c, "GET", m->list, NULL, NULL, err, errSize);
  if (st == -404) snprintf(err, errSize, "mailchimp: 404 audience %s not found", c->remote);
  if (st < 0 || findSegment(c, err, errSize) < 0 || ensureFields(c, err, errSize) < 0) return -1;
  c->http.readOnly = c->dryRun;
  return 0;
}

static void mcClose(EspConn *c) {
  campEspHttpClose(&c->http);
  McConn *m = c->drv;
  if (m) free(m->list);
  free(m);
  c->drv = NULL;
}

/* ---- members ------------------------------------------------------------------------------------------------ */

static EspStatus memberStatus(const char *s) {
  if (!s) return ESP_OTHER;
  if (!strcmp(s, "subscribed")) return ESP_SUBSCRIBED;
  if (!strcmp(s, "unsubscribed")) return ESP_UNSUBSCRIBED;
  if (!strcmp(s, "cleaned")) return ESP_CLEANED;
  if (!strcmp(s, "pending")) return ESP_PENDING;
  return ESP_OTHER;
}

/* A merge field's value as text; NULL when empty. */
static char *valueText(json_t *v) {
  if (json_is_string(v)) return *json_string_value(v) ? strdup(json_string_value(v)) : NULL;
  if (!v || json_is_null(v)) return NULL;
  char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  return s;
}

static int addMember(EspConn *c, json_t *j, void *ctx, char *err, size_t errSize) {
  EspMember *x = campEspMembersAdd(ctx, c->nfield);
  if (!x || !(x->email = lowerDup(jstr(j, "email_address")))) return oom(err, errSize);
  x->status = memberStatus(jstr(j, "status"));
  json_t *mf = json_object_get(j, "merge_fields");
  for (size_t i = 0; i < c->nfield; i++) x->values[i] = valueText(json_object_get(mf, c->tags[i]));
  return 0;
}

static int mcMembers(EspConn *c, EspMembers *out, char *err, size_t errSize) {
  if (!*c->remoteId) return 0;
  McConn *m = c->drv;
  char *path = NULL;
  if (asprintf(&path, "%s/segments/%s/members?include_unsubscribed=true&include_cleaned=true"
               "&fields=members.email_address,members.status,members.merge_fields,total_items", m->list, c->remoteId) < 0)
    return oom(err, errSize);
  int rc = eachPage(c, path, "members", addMember, out, err, errSize);
  free(path);
  return rc;
}

/* ---- apply ------------------------------------------------------------------------------------------------------ */

/* A member of a batch subscribe: the address, the status, and (ADD, UPDATE) every mapped merge field. */
static json_t *batchMember(EspConn *c, const EspChange *ch) {
  json_t *o = json_pack("{s:s, s:s}", "email_address", ch->email, "status",
                        ch->op == ESP_UNSUBSCRIBE ? "unsubscribed" : "subscribed");
  if (!o || !ch->values) return o;
  json_t *mf = json_object();
  for (size_t i = 0; mf && i < c->nfield; i++)
    json_object_set_new(mf, c->tags[i], json_string(ch->values[i] ? ch->values[i] : ""));
  if (!mf || json_object_set_new(o, "merge_fields", mf) < 0) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* A whole call refused with 400 (the batch was not taken): each member of it refused with those words; any
** other failure ends the apply. */
static int refuseAll(int st, const char *const *emails, size_t n, EspFailFn fail, void *ctx, char *err) {
  if (st != -400) return -1;
  for (size_t i = 0; i < n; i++) fail(ctx, emails[i], err);
  *err = 0;
  return 0;
}

/* Batch subscribes (ADD, UPDATE, UNSUBSCRIBE) of ch[0..n), <= 500 a call; refused[i] set for members Mailchimp
** refused (they are not added to the segment). */
static int batchSubscribe(EspConn *c, const EspChange *ch, size_t n, char *refused, EspFailFn fail, void *ctx,
                          char *err, size_t errSize) {
  McConn *m = c->drv;
  const char **emails = malloc(MC_BATCH * sizeof *emails);
  size_t *idx = malloc(MC_BATCH * sizeof *idx);
  int rc = emails && idx ? 0 : oom(err, errSize);
  for (size_t i = 0; rc == 0 && i < n;) {
    json_t *members = json_array(), *ans = NULL;
    size_t k = 0;
    for (; members && i < n && k < MC_BATCH; i++) {
      if (ch[i].op != ESP_ADD && ch[i].op != ESP_UPDATE && ch[i].op != ESP_UNSUBSCRIBE) continue;
      json_t *x = batchMember(c, &ch[i]);
      if (!x || json_array_append_new(members, x) < 0) { rc = oom(err, errSize); break; }
      emails[k] = ch[i].email;
      idx[k++] = i;
    }
    json_t *body = NULL;
    if (rc == 0 && k) body = json_pack("{s:o, s:b}", "members", members, "update_existing", 1);
    else json_decref(members);
    if (rc == 0 && k && !body) rc = oom(err, errSize);
    if (body) {
      int st = call(c, "POST", m->list, body, &ans, err, errSize);
      if (st < 0) {
        for (size_t j = 0; j < k; j++) refused[idx[j]] = 1;
        rc = refuseAll(st, emails, k, fail, ctx, err);
      }
    }
    size_t e;
    json_t *x;
    json_array_foreach(json_object_get(ans, "errors"), e, x) {
      const char *email = jstr(x, "email_address");
      for (size_t j = 0; email && j < k; j++)
        if (!strcasecmp(emails[j], email)) refused[idx[j]] = 1;
      fail(ctx, email, jstr(x, "error"));
    }
    json_decref(body);
    json_decref(ans);
  }
  free(emails);
  free(idx);
  return rc;
}

/* One segment batch: up to 500 to add and 500 to remove. */
static int segmentBatch(EspConn *c, json_t *add, json_t *remove, EspFailFn fail, void *ctx, char *err,
                        size_t errSize) {
  McConn *m = c->drv;
  char *path = NULL;
  json_t *body = json_pack("{s:O, s:O}", "members_to_add", add, "members_to_remove", remove), *ans = NULL;
  if (!body || asprintf(&path, "%s/segments/%s", m->list, c->remoteId) < 0) {
    json_decref(body);
    return oom(err, errSize);
  }
  int st = call(c, "POST", path, body, &ans, err, errSize), rc = 0;
  free(path);
  json_decref(body);
  if (st < 0) {
    if (st != -400) return -1;
    for (int side = 0; side < 2; side++) {
      size_t i;
      json_t *e;
      json_array_foreach(side ? remove : add, i, e) fail(ctx, json_string_value(e), err);
    }
    *err = 0;
    return 0;
  }
  size_t i, j;
  json_t *x, *e;
  json_array_foreach(json_object_get(ans, "errors"), i, x) {
    json_array_foreach(json_object_get(x, "email_addresses"), j, e) fail(ctx, json_string_value(e), jstr(x, "error"));
  }
  json_decref(ans);
  return rc;
}

/* Segment adds (ADD not refused) and removes (UNSUBSCRIBE, REMOVE, DELETE), <= 500 of each a call. */
static int segmentChanges(EspConn *c, const EspChange *ch, size_t n, const char *refused, EspFailFn fail, void *ctx,
                          char *err, size_t errSize) {
  size_t a = 0, r = 0;
  int rc = 0;
  while (rc == 0 && (a < n || r < n)) {
    json_t *add = json_array(), *remove = json_array();
    if (!add || !remove) rc = oom(err, errSize);
    for (; rc == 0 && a < n && json_array_size(add) < MC_BATCH; a++)
      if (ch[a].op == ESP_ADD && !refused[a]) json_array_append_new(add, json_string(ch[a].email));
    for (; rc == 0 && r < n && json_array_size(remove) < MC_BATCH; r++)
      if (ch[r].op == ESP_UNSUBSCRIBE || ch[r].op == ESP_REMOVE || ch[r].op == ESP_DELETE)
        json_array_append_new(remove, json_string(ch[r].email));
    if (rc == 0 && (json_array_size(add) || json_array_size(remove)))
      rc = segmentBatch(c, add, remove, fail, ctx, err, errSize);
    json_decref(add);
    json_decref(remove);
  }
  return rc;
}

/* DELETE: archived from the audience (already gone is fine). */
static int archive(EspConn *c, const EspChange *ch, size_t n, EspFailFn fail, void *ctx, char *err, size_t errSize) {
  McConn *m = c->drv;
  for (size_t i = 0; i < n; i++) {
    if (ch[i].op != ESP_DELETE) continue;
    char hash[33], *path = NULL;
    subscriberHash(ch[i].email, hash);
    if (asprintf(&path, "%s/members/%s", m->list, hash) < 0) return oom(err, errSize);
    int st = call(c, "DELETE", path, NULL, NULL, err, errSize);
    free(path);
    if (st == -404 || st == -400 || st == -405) {
      if (st != -404) fail(ctx, ch[i].email, err);
      *err = 0;
    } else if (st < 0) return -1;
  }
  return 0;
}

static int mcApply(EspConn *c, const EspChange *ch, size_t n, EspFailFn fail, void *ctx, char *err, size_t errSize) {
  if (errSize) *err = 0;
  if (!n) return 0;
  char *refused = calloc(n, 1);
  if (!refused) return oom(err, errSize);
  int rc = batchSubscribe(c, ch, n, refused, fail, ctx, err, errSize);
  if (rc == 0) rc = segmentChanges(c, ch, n, refused, fail, ctx, err, errSize);
  if (rc == 0) rc = archive(c, ch, n, fail, ctx, err, errSize);
  free(refused);
  return rc;
}

/* ---- imports: statuses, campaigns, activity ----------------------------------------------------------------------- */

/* The end of a walk since a cursor: 0 with next the latest time seen (the cursor itself when nothing was). */
static int endWalk(int rc, int64_t latest, const char *cursor, char *next, size_t nextSize) {
  if (rc < 0) return -1;
  if (latest != INT64_MIN) formatTime(latest, next, nextSize);
  else snprintf(next, nextSize, "%s", cursor ? cursor : "");
  return 0;
}

typedef struct Walk {
  EspStatusFn status;
  EspCampaignFn campaign;
  EspActivityFn activity;
  void *ctx;
  int64_t since, latest;      /* since: INT64_MIN from the start */
  EspStatus kind;
  const char *id;             /* the campaign (activity) */
  long segment;               /* the connected segment (campaigns) */
} Walk;

static void later(Walk *w, int64_t at) {
  if (at != INT64_MIN && (w->latest == INT64_MIN || at > w->latest)) w->latest = at;
}

static int oneStatus(EspConn *c, json_t *j, void *ctx, char *err, size_t errSize) {
  Walk *w = ctx;
  int complaint = w->kind == ESP_COMPLAINED;
  int64_t at = parseTime(jstr(j, complaint ? "date" : "last_changed"));
  if (complaint && w->since != INT64_MIN && at != INT64_MIN && at <= w->since) return 0;
  later(w, at);
  char *email = lowerDup(jstr(j, "email_address"));
  if (!email) return oom(err, errSize);
  EspStatusChange s = { email, w->kind, at, complaint ? "abuse report" : jstr(j, "unsubscribe_reason") };
  int rc = *email ? w->status(w->ctx, &s) : 0;
  free(email);
  return rc ? -1 : 0;
}

static int mcStatuses(EspConn *c, const char *cursor, EspStatusFn fn, void *ctx, char *next, size_t nextSize,
                      char *err, size_t errSize) {
  if (errSize) *err = 0;
  McConn *m = c->drv;
  Walk w = { .status = fn, .ctx = ctx, .since = parseTime(cursor), .latest = parseTime(cursor) };
  char *since = cursor && *cursor ? campEspHttpEscape(cursor) : NULL;
  if (cursor && *cursor && !since) return oom(err, errSize);
  static const char *const status[] = { "unsubscribed", "cleaned" };
  int rc = 0;
  for (int i = 0; rc == 0 && i < 2; i++) {
    char *path = NULL;
    if (asprintf(&path, "%s/members?status=%s%s%s&fields=members.email_address,members.status,members.last_changed,"
                 "members.unsubscribe_reason,total_items", m->list, status[i], since ? "&since_last_changed=" : "",
                 since ? since : "") < 0) { rc = oom(err, errSize); break; }
    w.kind = i ? ESP_CLEANED : ESP_UNSUBSCRIBED;
    rc = eachPage(c, path, "members", oneStatus, &w, err, errSize);
    free(path);
  }
  char *path = NULL;
  if (rc == 0 && asprintf(&path, "%s/abuse-reports", m->list) < 0) rc = oom(err, errSize);
  w.kind = ESP_COMPLAINED;
  if (rc == 0) rc = eachPage(c, path, "abuse_reports", oneStatus, &w, err, errSize);
  free(path);
  free(since);
  return endWalk(rc, w.latest, cursor, next, nextSize);
}

static int oneCampaign(EspConn *c, json_t *j, void *ctx, char *err, size_t errSize) {
  Walk *w = ctx;
  json_t *opts = json_object_get(json_object_get(j, "recipients"), "segment_opts");
  json_t *sid = json_object_get(opts, "saved_segment_id");
  int64_t at = parseTime(jstr(j, "send_time"));
  later(w, at);
  if (!json_is_integer(sid) || json_integer_value(sid) != w->segment) return 0;
  json_t *settings = json_object_get(j, "settings");
  EspCampaign cp = { jstr(j, "id"), jstr(settings, "title"), jstr(settings, "subject_line"), at };
  if (!cp.id) return 0;
  if (!cp.title || !*cp.title) cp.title = cp.subject ? cp.subject : cp.id;
  return w->campaign(w->ctx, &cp) ? -1 : 0;
}

static int mcCampaigns(EspConn *c, const char *cursor, EspCampaignFn fn, void *ctx, char *next, size_t nextSize,
                       char *err, size_t errSize) {
  if (errSize) *err = 0;
  Walk w = { .campaign = fn, .ctx = ctx, .latest = parseTime(cursor), .segment = atol(c->remoteId) };
  if (!*c->remoteId) return endWalk(0, w.latest, cursor, next, nextSize);
  char *list = campEspHttpEscape(c->remote), *since = cursor && *cursor ? campEspHttpEscape(cursor) : NULL;
  char *path = NULL;
  int rc = list && (since || !cursor || !*cursor) &&
           asprintf(&path, "/campaigns?list_id=%s&status=sent%s%s&sort_field=send_time&sort_dir=ASC"
                    "&fields=campaigns.id,campaigns.send_time,campaigns.recipients,campaigns.settings,total_items",
                    list, since ? "&since_send_time=" : "", since ? since : "") >= 0 ? 0 : oom(err, errSize);
  if (rc == 0) rc = eachPage(c, path, "campaigns", oneCampaign, &w, err, errSize);
  free(path);
  free(list);
  free(since);
  return endWalk(rc, w.latest, cursor, next, nextSize);
}

/* One activity delta with its key "cid|email|action|timestamp|url". */
static int emit(Walk *w, const char *email, EspActKind kind, const char *action, const char *ts, const char *url,
                int hard, char *err, size_t errSize) {
  char *key = NULL, *lower = lowerDup(email);
  if (!lower || asprintf(&key, "%s|%s|%s|%s|%s", w->id, lower, action, ts ? ts : "", url ? url : "") < 0) {
    free(lower);
    return oom(err, errSize);
  }
  int64_t at = parseTime(ts);
  later(w, at);
  EspActivity a = { lower, kind, at, url, hard, key, 1 };
  int rc = *lower ? w->activity(w->ctx, &a) : 0;
  free(key);
  free(lower);
  return rc ? -1 : 0;
}

static int oneSent(EspConn *c, json_t *j, void *ctx, char *err, size_t errSize) {
  Walk *w = ctx;
  char ts[64] = "";
  if (w->since != INT64_MIN) formatTime(w->since, ts, sizeof ts);
  return emit(w, jstr(j, "email_address"), ESP_ACT_SENT, "sent", ts, NULL, 0, err, errSize);
}

static int oneEmail(EspConn *c, json_t *j, void *ctx, char *err, size_t errSize) {
  Walk *w = ctx;
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(j, "activity"), i, a) {
    const char *action = jstr(a, "action");
    EspActKind kind = !action ? 0 : !strcmp(action, "open") ? ESP_ACT_OPEN : !strcmp(action, "click") ? ESP_ACT_CLICK
                    : !strcmp(action, "bounce") ? ESP_ACT_BOUNCE : 0;
    if (!kind) continue;
    const char *type = jstr(a, "type");
    int hard = kind == ESP_ACT_BOUNCE && (!type || strcmp(type, "soft"));
    if (emit(w, jstr(j, "email_address"), kind, action, jstr(a, "timestamp"), kind == ESP_ACT_CLICK ? jstr(a, "url") : NULL,
             hard, err, errSize) < 0)
      return -1;
  }
  return 0;
}

static int oneReport(EspConn *c, json_t *j, void *ctx, char *err, size_t errSize) {
  Walk *w = ctx;
  int abuse = w->kind == ESP_COMPLAINED;
  const char *ts = jstr(j, abuse ? "date" : "timestamp");
  int64_t at = parseTime(ts);
  if (w->since != INT64_MIN && at != INT64_MIN && at <= w->since - MC_MARGIN) return 0;
  return emit(w, jstr(j, "email_address"), abuse ? ESP_ACT_ABUSE : ESP_ACT_UNSUB, abuse ? "abuse" : "unsub", ts, NULL, 0,
              err, errSize);
}

/* The campaign's send time (the SENT rows' time), INT64_MIN when unknown. */
static int64_t sendTime(EspConn *c, const char *cid, char *err, size_t errSize) {
  char *path = NULL;
  json_t *j = NULL;
  if (asprintf(&path, "/campaigns/%s?fields=send_time", cid) < 0) return INT64_MIN;
  int st = call(c, "GET", path, NULL, &j, err, errSize);
  free(path);
  int64_t t = st > 0 ? parseTime(jstr(j, "send_time")) : INT64_MIN;
  json_decref(j);
  if (st < 0) *err = 0;
  return t;
}

/* Activity since cursor: sent-to on the first walk only (cursor ""), then email-activity since the cursor (less a
** margin: keys make re-reads harmless), unsubscribes and abuse reports (no since parameter: filtered here). */
static int mcActivity(EspConn *c, const char *id, const char *cursor, EspActivityFn fn, void *ctx, char *next,
                      size_t nextSize, char *err, size_t errSize) {
  if (errSize) *err = 0;
  char *cid = campEspHttpEscape(id), *path = NULL;
  if (!cid) return oom(err, errSize);
  Walk w = { .activity = fn, .ctx = ctx, .id = id, .since = parseTime(cursor), .latest = parseTime(cursor) };
  int rc = 0;
  if (w.since == INT64_MIN) {
    w.since = sendTime(c, cid, err, errSize);
    if (asprintf(&path, "/reports/%s/sent-to?fields=sent_to.email_address,total_items", cid) < 0) rc = oom(err, errSize);
    if (rc == 0) rc = eachPage(c, path, "sent_to", oneSent, &w, err, errSize);
    free(path);
    path = NULL;
    w.since = INT64_MIN;
  }
  char since[64] = "";
  if (w.since != INT64_MIN) formatTime(w.since - MC_MARGIN, since, sizeof since);
  char *esc = *since ? campEspHttpEscape(since) : NULL;
  if (rc == 0 && asprintf(&path, "/reports/%s/email-activity?fields=emails.email_address,emails.activity,total_items%s%s",
                          cid, esc ? "&since=" : "", esc ? esc : "") < 0) rc = oom(err, errSize);
  if (rc == 0) rc = eachPage(c, path, "emails", oneEmail, &w, err, errSize);
  free(path);
  path = NULL;
  w.kind = ESP_UNSUBSCRIBED;
  if (rc == 0 && asprintf(&path, "/reports/%s/unsubscribed", cid) < 0) rc = oom(err, errSize);
  if (rc == 0) rc = eachPage(c, path, "unsubscribes", oneReport, &w, err, errSize);
  free(path);
  path = NULL;
  w.kind = ESP_COMPLAINED;
  if (rc == 0 && asprintf(&path, "/reports/%s/abuse-reports", cid) < 0) rc = oom(err, errSize);
  if (rc == 0) rc = eachPage(c, path, "abuse_reports", oneReport, &w, err, errSize);
  free(path);
  free(esc);
  free(cid);
  return endWalk(rc, w.latest, cursor, next, nextSize);
}

/* ---- mailings via Mailchimp ---------------------------------------------------------------------------------------- */

static int mcCreate(EspConn *c, const EspMailing *m, char *id, size_t idSize, char *err, size_t errSize) {
  if (errSize) *err = 0;
  if (!*c->remoteId) {
    snprintf(err, errSize, "mailchimp: segment \"%s\" does not exist yet (run camp sync first)", c->segment);
    return -1;
  }
  json_t *body = json_pack("{s:s, s:{s:s, s:{s:I, s:s}}, s:{s:s, s:s, s:s, s:s}}", "type", "regular",
                           "recipients", "list_id", c->remote, "segment_opts", "saved_segment_id",
                           (json_int_t)atoll(c->remoteId), "match", "all",
                           "settings", "subject_line", m->subject ? m->subject : "",
                           "title", m->title && *m->title ? m->title : m->name, "from_name",
                           m->fromName ? m->fromName : "", "reply_to", m->fromEmail ? m->fromEmail : "");
  json_t *ans = NULL;
  if (!body) return oom(err, errSize);
  int st = call(c, "POST", "/campaigns", body, &ans, err, errSize);
  json_decref(body);
  if (st < 0) return -1;
  const char *cid = jstr(ans, "id");
  char *esc = cid ? campEspHttpEscape(cid) : NULL, *path = NULL;
  snprintf(id, idSize, "%s", cid ? cid : "");
  json_decref(ans);
  if (!*id) {
    free(esc);
    snprintf(err, errSize, "mailchimp: POST /campaigns: no id in the answer");
    return -1;
  }
  if (!esc || asprintf(&path, "/campaigns/%s/content", esc) < 0) {
    free(esc);
    return oom(err, errSize);
  }
  body = json_pack("{s:s, s:s}", "html", m->html ? m->html : "", "plain_text", m->text ? m->text : "");
  st = body ? call(c, "PUT", path, body, NULL, err, errSize) : oom(err, errSize);
  json_decref(body);
  free(path);
  free(esc);
  return st < 0 ? -1 : 0;
}

static int mcSend(EspConn *c, const char *id, int64_t at, char *err, size_t errSize) {
  if (errSize) *err = 0;
  char *esc = campEspHttpEscape(id), *path = NULL;
  json_t *body = NULL;
  int rc;
  if (at) {
    char when[64];
    formatTime((at + MC_QUARTER - 1) / MC_QUARTER * MC_QUARTER, when, sizeof when);
    body = json_pack("{s:s}", "schedule_time", when);
  }
  if (!esc || (at && !body) || asprintf(&path, "/campaigns/%s/actions/%s", esc, at ? "schedule" : "send") < 0)
    rc = oom(err, errSize);
  else rc = call(c, "POST", path, body, NULL, err, errSize) < 0 ? -1 : 0;
  json_decref(body);
  free(path);
  free(esc);
  return rc;
}

static int mcState(EspConn *c, const char *id, int *sent, char *err, size_t errSize) {
  if (errSize) *err = 0;
  char *esc = campEspHttpEscape(id), *path = NULL;
  json_t *j = NULL;
  if (!esc || asprintf(&path, "/campaigns/%s?fields=id,status", esc) < 0) {
    free(esc);
    return oom(err, errSize);
  }
  int st = call(c, "GET", path, NULL, &j, err, errSize);
  free(path);
  free(esc);
  if (st < 0) return -1;
  const char *s = jstr(j, "status");
  *sent = s && (!strcmp(s, "sent") || !strcmp(s, "sending") || !strcmp(s, "schedule"));
  json_decref(j);
  return 0;
}

const EspDriver campEspMailchimp = {
  .name = "mailchimp",
  .totals = 0,
  .mergeTag = "*|%s|*",
  .open = mcOpen,
  .close = mcClose,
  .members = mcMembers,
  .apply = mcApply,
  .statuses = mcStatuses,
  .campaigns = mcCampaigns,
  .activity = mcActivity,
  .create = mcCreate,
  .send = mcSend,
  .state = mcState,
};
