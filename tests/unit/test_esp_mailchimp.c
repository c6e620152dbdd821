/*
** tests/unit/test_esp_mailchimp.c -- runtime/esp_http.c and the Mailchimp
** driver (runtime/esp_mailchimp.c) against tests/esp/mailchimp_fake.py,
** which this test starts on loopback (run from the repository root, as
** tests/run.sh does) and stops.  The fake is itself held to the real API
** by the official client (tests/suite_esp_mailchimp.sh).
**
** MC_BIG=N (optional) also exports N members and prints the requests it took
** and a re-run's (the figures of docs/SYNC.md).
*/
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runtime/esp.h"
#include "tests/unit/test.h"

#define KEY "fakekey-us6"
#define AUD "a1b2c3d4e5"

static char root[128], api[160];
static pid_t fakePid;
static EspHttp ctl;        /* the fake's control endpoints */

static int startFake(void) {
  char dir[] = "/tmp/camp-mc-XXXXXX", portFile[64];
  if (!mkdtemp(dir)) return -1;
  snprintf(portFile, sizeof portFile, "%s/port", dir);
  fakePid = fork();
  if (fakePid == 0) {
    execl("/usr/bin/python3", "python3", "tests/esp/mailchimp_fake.py", "--port-file", portFile, "--key", KEY, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 600; i++) {
    FILE *f = fopen(portFile, "r");
    int port = 0;
    if (f && fscanf(f, "%d", &port) == 1 && port > 0) {
      fclose(f);
      unlink(portFile);
      rmdir(dir);
      snprintf(root, sizeof root, "http://127.0.0.1:%d", port);
      snprintf(api, sizeof api, "%s/3.0", root);
      return 0;
    }
    if (f) fclose(f);
    if (waitpid(fakePid, NULL, WNOHANG) == fakePid) return -1;
    usleep(100000);
  }
  return -1;
}

/* POST path json to the fake's control endpoints; the answer (caller decrefs). */
static json_t *fake(const char *path, const char *json) {
  char err[256];
  json_t *body = json ? json_loads(json, 0, NULL) : NULL, *out = NULL;
  campEspHttpJson(&ctl, json ? "POST" : "GET", path, body, &out, err, sizeof err);
  json_decref(body);
  return out;
}

/* How many requests the fake saw on route key ("GET /lists/{list_id}") since the last reset. */
static long routeCount(const char *key) {
  json_t *s = fake("/_fake/stats", NULL);
  long n = (long)json_integer_value(json_object_get(json_object_get(s, "by_route"), key));
  json_decref(s);
  return n;
}

static long fakeRequests(void) {
  json_t *s = fake("/_fake/stats", NULL);
  long n = (long)json_integer_value(json_object_get(s, "requests"));
  json_decref(s);
  return n;
}

/* ---- esp_http.c ------------------------------------------------------------------------------------------------- */

static void testHttp(void) {
  EspHttp h;
  char err[512];
  json_t *out = NULL;
  CHECK_EQ_INT(campEspHttpOpen(&h, "mailchimp", api, "camp", KEY, err, sizeof err), 0);
  json_decref(fake("/_fake/fail", "{\"status\":429,\"count\":2,\"retry_after\":\"3\",\"match\":\"/ping\"}"));
  CHECK_EQ_INT(campEspHttpJson(&h, "GET", "/ping", NULL, &out, err, sizeof err), 200);
  CHECK_EQ_STR(json_string_value(json_object_get(out, "health_status")), "Everything's Chimpy!");
  json_decref(out);
  CHECK_EQ_INT(h.requests, 3);
  CHECK_EQ_INT(h.retries, 2);
  CHECK(h.waited > 0.059 && h.waited < 0.061);     /* 2 x Retry-After 3 s x CAMP_ESP_BACKOFF 0.01 */

  json_decref(fake("/_fake/fail", "{\"status\":500,\"count\":4,\"match\":\"/ping\"}"));
  h.requests = h.retries = 0;
  h.waited = 0;
  CHECK_EQ_INT(campEspHttpJson(&h, "GET", "/ping", NULL, &out, err, sizeof err), 200);
  json_decref(out);
  CHECK_EQ_INT(h.retries, 4);
  CHECK(h.waited > 0.0749 && h.waited < 0.0751);   /* (0.5 + 1 + 2 + 4) s x 0.01 */

  json_decref(fake("/_fake/fail", "{\"status\":503,\"count\":3,\"match\":\"/ping\"}"));
  h.maxTries = 3;
  CHECK_EQ_INT(campEspHttpJson(&h, "GET", "/ping", NULL, &out, err, sizeof err), -1);
  CHECK_EQ_STR(err, "mailchimp: 503 Internal Server Error: Injected by the fake (/_fake/fail).");

  CHECK_EQ_INT(campEspHttpJson(&h, "GET", "/lists/nope", NULL, &out, err, sizeof err), 404);
  CHECK_EQ_STR(err, "mailchimp: 404 Resource Not Found: The requested resource could not be found.");
  CHECK_EQ_STR(json_string_value(json_object_get(out, "title")), "Resource Not Found");
  json_decref(out);

  h.readOnly = 1;
  CHECK_EQ_INT(campEspHttpJson(&h, "POST", "/lists/x", NULL, &out, err, sizeof err), -1);
  CHECK_EQ_STR(err, "mailchimp: POST /lists/x refused: a dry run only reads");
  char *e = campEspHttpEscape("a b/é&+");
  CHECK_EQ_STR(e, "a%20b%2F%C3%A9%26%2B");
  free(e);
  campEspHttpClose(&h);

  EspHttp bad;
  CHECK_EQ_INT(campEspHttpOpen(&bad, "mailchimp", api, "camp", "wrong-us6", err, sizeof err), 0);
  CHECK_EQ_INT(campEspHttpJson(&bad, "GET", "/ping", NULL, &out, err, sizeof err), 401);
  json_decref(out);
  CHECK_EQ_STR(err, "mailchimp: 401 API Key Invalid: Your API key may be invalid, or you've attempted to access the wrong "
                    "datacenter.");
  campEspHttpClose(&bad);

  volatile int stop = 1;
  CHECK_EQ_INT(campEspHttpOpen(&bad, "mailchimp", "http://127.0.0.1:1", "camp", KEY, err, sizeof err), 0);
  bad.stop = &stop;
  CHECK_EQ_INT(campEspHttpJson(&bad, "GET", "/ping", NULL, &out, err, sizeof err), -1);
  CHECK_EQ_INT(bad.requests, 1);           /* a raised stop: no retry */
  CHECK(strstr(err, "interrupted") != NULL);
  campEspHttpClose(&bad);
}

/* ---- the driver --------------------------------------------------------------------------------------------------- */

static const char *const tags[] = { "FNAME", "E_CITY" };

static void conn(EspConn *c, const char *remote, const char *remoteId, int dryRun) {
  memset(c, 0, sizeof *c);
  c->esp = ESP_MAILCHIMP;
  c->sync = "news_mc";
  c->remote = remote;
  c->segment = "camp newsletter";
  c->tags = tags;
  c->nfield = 2;
  c->dryRun = dryRun;
  snprintf(c->remoteId, sizeof c->remoteId, "%s", remoteId);
}

typedef struct Failed { int n; char last[512]; char email[128]; } Failed;
static void onFail(void *ctx, const char *email, const char *why) {
  Failed *f = ctx;
  f->n++;
  snprintf(f->last, sizeof f->last, "%s", why ? why : "");
  snprintf(f->email, sizeof f->email, "%s", email ? email : "");
}

static EspMember *findMember(EspMembers *ms, const char *email) {
  for (size_t i = 0; i < ms->n; i++) if (!strcmp(ms->v[i].email, email)) return &ms->v[i];
  return NULL;
}

static void testOpen(void) {
  const EspDriver *d = &campEspMailchimp;
  EspConn c;
  char err[512];
  unsetenv("CAMP_MAILCHIMP_KEY");
  conn(&c, AUD, "", 0);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), -1);
  CHECK_EQ_STR(err, "CAMP_MAILCHIMP_KEY is not set (an API key ending in -<dc>: docs/SYNC.md)");
  d->close(&c);
  setenv("CAMP_MAILCHIMP_KEY", "nodatacenter", 1);
  unsetenv("CAMP_MAILCHIMP_URL");
  CHECK_EQ_INT(d->open(&c, err, sizeof err), -1);
  CHECK_EQ_STR(err, "CAMP_MAILCHIMP_KEY does not end in -<dc>, the data center (e.g. -us6): docs/SYNC.md");
  d->close(&c);
  setenv("CAMP_MAILCHIMP_KEY", KEY, 1);
  setenv("CAMP_MAILCHIMP_URL", api, 1);
  conn(&c, "nosuchaud", "", 0);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), -1);
  CHECK_EQ_STR(err, "mailchimp: 404 audience nosuchaud not found");
  d->close(&c);

  /* a dry run creates nothing */
  json_decref(fake("/_fake/audiences", "{\"id\":\"" AUD "\",\"name\":\"Newsletter\"}"));
  json_decref(fake("/_fake/stats/reset", "{}"));
  conn(&c, AUD, "", 1);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  CHECK_EQ_STR(c.remoteId, "");
  CHECK_EQ_INT(routeCount("POST /lists/{list_id}/segments") + routeCount("POST /lists/{list_id}/merge-fields"), 0);
  EspMembers ms = { 0 };
  CHECK_EQ_INT(d->members(&c, &ms, err, sizeof err), 0);
  CHECK_EQ_INT(ms.n, 0);
  d->close(&c);

  /* for real: the segment and the missing merge field E_CITY created */
  conn(&c, AUD, "", 0);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  CHECK(*c.remoteId != 0);
  CHECK_EQ_INT(routeCount("POST /lists/{list_id}/segments"), 1);
  CHECK_EQ_INT(routeCount("POST /lists/{list_id}/merge-fields"), 1);
  char sid[64];
  snprintf(sid, sizeof sid, "%s", c.remoteId);
  d->close(&c);
  /* found again by name, and by its id */
  conn(&c, AUD, "", 0);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  CHECK_EQ_STR(c.remoteId, sid);
  d->close(&c);
  conn(&c, AUD, "999", 0);                  /* a stale id: found by name */
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  CHECK_EQ_STR(c.remoteId, sid);
  d->close(&c);
  CHECK_EQ_INT(routeCount("POST /lists/{list_id}/segments"), 1);
}

static void testApply(void) {
  const EspDriver *d = &campEspMailchimp;
  EspConn c;
  char err[512];
  conn(&c, AUD, "", 0);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  enum { N = 1203 };
  EspChange *ch = calloc(N, sizeof *ch);
  char (*emails)[32] = calloc(N, 32);
  char *vals[N][2];
  static char city[] = "Paris";
  for (int i = 0; i < N; i++) {
    snprintf(emails[i], 32, i == 7 ? "not-an-address%d" : "m%d@example.com", i);
    vals[i][0] = malloc(16);
    snprintf(vals[i][0], 16, "M%d", i);
    vals[i][1] = i % 2 ? city : NULL;
    ch[i] = (EspChange){ ESP_ADD, emails[i], vals[i], NULL };
  }
  Failed f = { 0 };
  json_decref(fake("/_fake/stats/reset", "{}"));
  CHECK_EQ_INT(d->apply(&c, ch, N, onFail, &f, err, sizeof err), 0);
  CHECK_EQ_INT(f.n, 1);
  CHECK_EQ_STR(f.email, "not-an-address7");
  CHECK_EQ_STR(f.last, "not-an-address7 looks fake or invalid, please enter a real email address.");
  CHECK_EQ_INT(routeCount("POST /lists/{list_id}"), 3);                       /* <= 500 a batch */
  CHECK_EQ_INT(routeCount("POST /lists/{list_id}/segments/{segment_id}"), 3);
  EspMembers ms = { 0 };
  CHECK_EQ_INT(d->members(&c, &ms, err, sizeof err), 0);
  CHECK_EQ_INT(ms.n, N - 1);
  CHECK_EQ_INT(routeCount("GET /lists/{list_id}/segments/{segment_id}/members"), 2);   /* 1000 a page */
  EspMember *m = findMember(&ms, "m1@example.com");
  CHECK(m && m->status == ESP_SUBSCRIBED && m->values[0] && !strcmp(m->values[0], "M1") && m->values[1] &&
        !strcmp(m->values[1], "Paris"));
  m = findMember(&ms, "m2@example.com");
  CHECK(m && m->values[1] == NULL);
  campEspMembersFree(&ms, 2);

  /* update, unsubscribe, remove, delete */
  char *nv[2] = { "Robert", "Lyon" };
  EspChange more[] = { { ESP_UPDATE, "m1@example.com", nv, NULL }, { ESP_UNSUBSCRIBE, "m3@example.com", NULL, NULL },
                       { ESP_REMOVE, "m4@example.com", NULL, NULL }, { ESP_DELETE, "m5@example.com", NULL, NULL },
                       { ESP_REMOVE, "stranger@example.com", NULL, NULL } };
  f.n = 0;
  CHECK_EQ_INT(d->apply(&c, more, 5, onFail, &f, err, sizeof err), 0);
  CHECK_EQ_INT(f.n, 1);                     /* the stranger: not in the segment */
  CHECK_EQ_STR(f.email, "stranger@example.com");
  CHECK_EQ_INT(d->members(&c, &ms, err, sizeof err), 0);
  CHECK_EQ_INT(ms.n, N - 1 - 3);
  m = findMember(&ms, "m1@example.com");
  CHECK(m && m->values[0] && !strcmp(m->values[0], "Robert") && m->values[1] && !strcmp(m->values[1], "Lyon"));
  CHECK(!findMember(&ms, "m3@example.com") && !findMember(&ms, "m4@example.com") && !findMember(&ms, "m5@example.com"));
  campEspMembersFree(&ms, 2);
  CHECK_EQ_INT(routeCount("DELETE /lists/{list_id}/members/{subscriber_hash}"), 1);
  for (int i = 0; i < N; i++) free(vals[i][0]);
  free(ch);
  free(emails);
  d->close(&c);
}

typedef struct Seen { int n, unsub, cleaned, complained; char last[128]; } Seen;
static int onStatus(void *ctx, const EspStatusChange *s) {
  Seen *x = ctx;
  x->n++;
  x->unsub += s->status == ESP_UNSUBSCRIBED;
  x->cleaned += s->status == ESP_CLEANED;
  x->complained += s->status == ESP_COMPLAINED;
  snprintf(x->last, sizeof x->last, "%s", s->email);
  return 0;
}

typedef struct Camps { int n; char id[64], title[128]; int64_t at; } Camps;
static int onCampaign(void *ctx, const EspCampaign *cp) {
  Camps *x = ctx;
  x->n++;
  snprintf(x->id, sizeof x->id, "%s", cp->id);
  snprintf(x->title, sizeof x->title, "%s", cp->title);
  x->at = cp->sentAt;
  return 0;
}

typedef struct Acts { int n, kind[8]; char keys[64][160]; int nkeys; char url[128]; int hard; } Acts;
static int onActivity(void *ctx, const EspActivity *a) {
  Acts *x = ctx;
  x->n++;
  x->kind[a->kind]++;
  if (a->kind != ESP_ACT_SENT && x->nkeys < 64) snprintf(x->keys[x->nkeys++], 160, "%s", a->key);
  if (a->kind == ESP_ACT_CLICK) snprintf(x->url, sizeof x->url, "%s", a->url);
  if (a->kind == ESP_ACT_BOUNCE) x->hard = a->hard;
  return 0;
}

static void testImports(void) {
  const EspDriver *d = &campEspMailchimp;
  EspConn c;
  char err[512], next[64], cur[64];
  conn(&c, AUD, "", 0);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);

  /* statuses: m3 was unsubscribed by the sync (before the clock was set) */
  Seen s = { 0 };
  CHECK_EQ_INT(d->statuses(&c, "", onStatus, &s, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(s.unsub, 1);
  snprintf(cur, sizeof cur, "%s", next);
  /* the fake's clock after the cursor: the next changes are newer */
  json_decref(fake("/_fake/clock", "{\"now\":\"2030-01-01T10:00:00+00:00\"}"));
  json_decref(fake("/_fake/members", "{\"list_id\":\"" AUD "\",\"email\":\"m10@example.com\",\"status\":\"unsubscribed\"}"));
  json_decref(fake("/_fake/members", "{\"list_id\":\"" AUD "\",\"email\":\"m11@example.com\",\"status\":\"cleaned\"}"));
  memset(&s, 0, sizeof s);
  CHECK_EQ_INT(d->statuses(&c, cur, onStatus, &s, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(s.unsub, 1);
  CHECK_EQ_INT(s.cleaned, 1);
  CHECK_EQ_STR(next, "2030-01-01T10:00:00+00:00");
  snprintf(cur, sizeof cur, "%s", next);
  memset(&s, 0, sizeof s);
  CHECK_EQ_INT(d->statuses(&c, cur, onStatus, &s, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(s.n, 0);
  CHECK_EQ_STR(next, cur);

  /* a mailing via Mailchimp: create (content), send; it comes back as a campaign */
  EspMailing ml = { "spring", "Spring", "Spring sale", "Shop", "shop@example.com", "<p>Hi *|FNAME|*</p>", "Hi *|FNAME|*", 0 };
  char id[64];
  CHECK_EQ_INT(d->create(&c, &ml, id, sizeof id, err, sizeof err), 0);
  CHECK(*id != 0);
  int sent = -1;
  CHECK_EQ_INT(d->state(&c, id, &sent, err, sizeof err), 0);
  CHECK_EQ_INT(sent, 0);
  json_decref(fake("/_fake/clock", "{\"now\":\"2030-01-02T09:00:00+00:00\"}"));
  CHECK_EQ_INT(d->send(&c, id, 0, err, sizeof err), 0);
  CHECK_EQ_INT(d->state(&c, id, &sent, err, sizeof err), 0);
  CHECK_EQ_INT(sent, 1);
  CHECK_EQ_INT(d->send(&c, id, 0, err, sizeof err), -1);     /* twice: Mailchimp's words */
  CHECK_EQ_STR(err, "mailchimp: 400 Bad Request: Cannot send a campaign with status \"sent\".");

  Camps cs = { 0 };
  CHECK_EQ_INT(d->campaigns(&c, "", onCampaign, &cs, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(cs.n, 1);
  CHECK_EQ_STR(cs.id, id);
  CHECK_EQ_STR(cs.title, "Spring");
  CHECK_EQ_STR(next, "2030-01-02T09:00:00+00:00");
  snprintf(cur, sizeof cur, "%s", next);
  memset(&cs, 0, sizeof cs);
  CHECK_EQ_INT(d->campaigns(&c, cur, onCampaign, &cs, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(cs.n, 0);

  /* activity: sent-to first, then opens, clicks, bounces, unsubscribes, abuse */
  json_decref(fake("/_fake/clock", "{\"now\":\"2030-01-02T10:00:00+00:00\"}"));
  char path[128];
  snprintf(path, sizeof path, "/_fake/campaigns/%s/activity", id);
  json_decref(fake(path, "{\"email\":\"m20@example.com\",\"action\":\"open\"}"));
  json_decref(fake(path, "{\"email\":\"m20@example.com\",\"action\":\"click\",\"url\":\"https://shop.example/a?b=1\"}"));
  json_decref(fake(path, "{\"email\":\"m21@example.com\",\"action\":\"bounce\",\"type\":\"hard\"}"));
  json_decref(fake(path, "{\"email\":\"m22@example.com\",\"action\":\"unsubscribe\"}"));
  json_decref(fake(path, "{\"email\":\"m23@example.com\",\"action\":\"abuse\"}"));
  Acts *a = calloc(1, sizeof *a);
  CHECK_EQ_INT(d->activity(&c, id, "", onActivity, a, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(a->kind[ESP_ACT_SENT], 1203 - 1 - 3 - 2);       /* the segment's subscribed members at the send */
  CHECK_EQ_INT(a->kind[ESP_ACT_OPEN], 1);
  CHECK_EQ_INT(a->kind[ESP_ACT_CLICK], 1);
  CHECK_EQ_INT(a->kind[ESP_ACT_BOUNCE], 1);
  CHECK_EQ_INT(a->kind[ESP_ACT_UNSUB], 1);
  CHECK_EQ_INT(a->kind[ESP_ACT_ABUSE], 1);
  CHECK_EQ_INT(a->hard, 1);
  CHECK_EQ_STR(a->url, "https://shop.example/a?b=1");
  char key[200];
  snprintf(key, sizeof key, "%s|m20@example.com|click|2030-01-02T10:00:00+00:00|https://shop.example/a?b=1", id);
  int found = 0;
  for (int i = 0; i < a->nkeys; i++) found += !strcmp(a->keys[i], key);
  CHECK_EQ_INT(found, 1);
  CHECK_EQ_STR(next, "2030-01-02T10:00:00+00:00");
  snprintf(cur, sizeof cur, "%s", next);
  /* again since the cursor: no sent-to; what is re-read within the margin has the same keys */
  Acts *b = calloc(1, sizeof *b);
  json_decref(fake("/_fake/stats/reset", "{}"));
  CHECK_EQ_INT(d->activity(&c, id, cur, onActivity, b, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(b->kind[ESP_ACT_SENT], 0);
  CHECK_EQ_INT(routeCount("GET /reports/{campaign_id}/sent-to"), 0);
  int same = 1;
  for (int i = 0; i < b->nkeys; i++) {
    int hit = 0;
    for (int j = 0; j < a->nkeys; j++) hit |= !strcmp(a->keys[j], b->keys[i]);
    same &= hit;
  }
  CHECK(same);
  /* later activity only, past the margin */
  json_decref(fake("/_fake/clock", "{\"now\":\"2030-01-03T10:00:00+00:00\"}"));
  json_decref(fake(path, "{\"email\":\"m24@example.com\",\"action\":\"open\"}"));
  memset(b, 0, sizeof *b);
  CHECK_EQ_INT(d->activity(&c, id, cur, onActivity, b, next, sizeof next, err, sizeof err), 0);
  int fresh = 0;
  for (int i = 0; i < b->nkeys; i++) {
    int hit = 0;
    for (int j = 0; j < a->nkeys; j++) hit |= !strcmp(a->keys[j], b->keys[i]);
    fresh += !hit;
  }
  CHECK_EQ_INT(fresh, 1);                   /* m24's open, the one new key */
  CHECK_EQ_INT(b->kind[ESP_ACT_SENT], 0);
  free(a);
  free(b);

  /* statuses: the abuse report as a complaint; the hard bounce cleaned */
  memset(&s, 0, sizeof s);
  CHECK_EQ_INT(d->statuses(&c, "2030-01-02T09:30:00+00:00", onStatus, &s, next, sizeof next, err, sizeof err), 0);
  CHECK_EQ_INT(s.complained, 1);
  CHECK_EQ_INT(s.cleaned, 1);
  CHECK_EQ_INT(s.unsub, 2);                 /* m22, and m23 unsubscribed by the abuse report */

  /* scheduled at 10:07: on the quarter-hour after it */
  CHECK_EQ_INT(d->create(&c, &ml, id, sizeof id, err, sizeof err), 0);
  int64_t at = 1893665220;                  /* 2030-01-03T10:07:00Z */
  CHECK_EQ_INT(d->send(&c, id, at, err, sizeof err), 0);
  CHECK_EQ_INT(d->state(&c, id, &sent, err, sizeof err), 0);
  CHECK_EQ_INT(sent, 1);
  char cpath[128];
  json_t *cj = NULL;
  snprintf(cpath, sizeof cpath, "/campaigns/%s", id);
  campEspHttpJson(&c.http, "GET", cpath, NULL, &cj, err, sizeof err);
  CHECK_EQ_STR(json_string_value(json_object_get(cj, "send_time")), "2030-01-03T10:15:00+00:00");
  json_decref(cj);

  /* a dry run's connection never writes */
  d->close(&c);
  conn(&c, AUD, "", 1);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  CHECK_EQ_INT(c.http.readOnly, 1);
  d->close(&c);
}

/* MC_BIG=N: N members exported, then a re-run with nothing changed; the requests each took. */
static void big(long n) {
  const EspDriver *d = &campEspMailchimp;
  EspConn c;
  char err[512];
  json_decref(fake("/_fake/audiences", "{\"id\":\"big\",\"name\":\"Big\"}"));
  conn(&c, "big", "", 0);
  struct timeval t0, t1;
  gettimeofday(&t0, NULL);
  json_decref(fake("/_fake/stats/reset", "{}"));
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  EspMembers ms = { 0 };
  CHECK_EQ_INT(d->members(&c, &ms, err, sizeof err), 0);
  EspChange *ch = calloc((size_t)n, sizeof *ch);
  char **em = calloc((size_t)n, sizeof *em), ***vals = calloc((size_t)n, sizeof *vals);
  for (long i = 0; i < n; i++) {
    if (asprintf(&em[i], "big%ld@example.com", i) < 0) return;
    vals[i] = calloc(2, sizeof **vals);
    vals[i][0] = strdup("Name");
    ch[i] = (EspChange){ ESP_ADD, em[i], vals[i], NULL };
  }
  Failed f = { 0 };
  CHECK_EQ_INT(d->apply(&c, ch, (size_t)n, onFail, &f, err, sizeof err), 0);
  d->close(&c);
  gettimeofday(&t1, NULL);
  long r1 = fakeRequests();
  double w1 = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
  json_decref(fake("/_fake/stats/reset", "{}"));
  gettimeofday(&t0, NULL);
  CHECK_EQ_INT(d->open(&c, err, sizeof err), 0);
  campEspMembersFree(&ms, 2);
  CHECK_EQ_INT(d->members(&c, &ms, err, sizeof err), 0);
  CHECK_EQ_INT((long)ms.n, n);
  d->close(&c);
  gettimeofday(&t1, NULL);
  long r2 = fakeRequests();
  double w2 = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
  printf("export of %ld members: %ld requests, %.1f s; re-run (open + members): %ld requests, %.1f s\n", n, r1, w1, r2, w2);
  campEspMembersFree(&ms, 2);
  for (long i = 0; i < n; i++) { free(em[i]); free(vals[i][0]); free(vals[i]); }
  free(em);
  free(vals);
  free(ch);
}

int main(void) {
  char err[256];
  if (access("tests/esp/mailchimp_fake.py", R_OK) != 0 || startFake() < 0) {
    fprintf(stderr, "test_esp_mailchimp: cannot start tests/esp/mailchimp_fake.py (run from the repository root)\n");
    return 1;
  }
  setenv("CAMP_ESP_BACKOFF", "0.01", 1);
  if (campEspHttpOpen(&ctl, "fake", root, "camp", KEY, err, sizeof err) < 0) return 1;
  testHttp();
  testOpen();
  testApply();
  testImports();
  const char *n = getenv("MC_BIG");
  if (n && atol(n) > 0) big(atol(n));
  campEspHttpClose(&ctl);
  kill(fakePid, SIGTERM);
  waitpid(fakePid, NULL, 0);
  return TEST_END();
}
