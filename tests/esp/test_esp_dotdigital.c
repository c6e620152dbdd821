/*
** tests/esp/test_esp_dotdigital.c -- the Dotdigital driver against the fake.
**
** Owns: a walk over every EspDriver call of campEspDotdigital against
** tests/esp/dotdigital_fake.py (started by tests/suite_esp_dotdigital.sh,
** which builds this program from $(BUILD)/libcamp.a; not a unit test: it
** needs the fake).  The fake's /_fake control endpoints are reached with
** the same EspHttp the driver uses.  Does not own: the fake or the engine.
**
**   CAMP_DOTDIGITAL_URL=http://127.0.0.1:PORT CAMP_DOTDIGITAL_USER=u CAMP_DOTDIGITAL_PASSWORD=p test_esp_dotdigital
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/esp.h"

static int passed, failed;

static void check(int cond, const char *what) {
  if (cond) passed++;
  else {
    failed++;
    printf("FAIL: %s\n", what);
  }
}

static EspHttp ctl;                       /* the fake's control endpoints */

static json_t *control(const char *method, const char *path, const char *body) {
  char err[512];
  json_t *in = body ? json_loads(body, 0, NULL) : NULL, *out = NULL;
  int st = campEspHttpJson(&ctl, method, path, in, &out, err, sizeof err);
  json_decref(in);
  if (st != 200) printf("control %s %s: %d %s\n", method, path, st, err);
  return out;
}

static long routeCount(const char *route) {
  json_t *s = control("GET", "/_fake/stats", NULL);
  long n = (long)json_integer_value(json_object_get(json_object_get(s, "by_route"), route));
  json_decref(s);
  return n;
}

static const char *const TAGS[] = { "FIRSTNAME", "CITY" };

static void conn(EspConn *c, int dryRun, const char *remoteId) {
  memset(c, 0, sizeof *c);
  c->esp = ESP_DOTDIGITAL;
  c->sync = "news_dd";
  c->remote = "Newsletter";
  c->tags = TAGS;
  c->nfield = 2;
  c->dryRun = dryRun;
  snprintf(c->remoteId, sizeof c->remoteId, "%s", remoteId);
}

/* What the callbacks saw. */
typedef struct Seen { char text[8192]; int n; } Seen;

static void onFail(void *ctx, const char *email, const char *why) {
  Seen *s = ctx;
  s->n++;
  size_t l = strlen(s->text);
  snprintf(s->text + l, sizeof s->text - l, "%s=%s;", email, why);
}

static int onStatus(void *ctx, const EspStatusChange *x) {
  Seen *s = ctx;
  s->n++;
  size_t l = strlen(s->text);
  snprintf(s->text + l, sizeof s->text - l, "%s:%d:%s;", x->email, (int)x->status, x->reason ? x->reason : "");
  return 0;
}

static int onCampaign(void *ctx, const EspCampaign *x) {
  Seen *s = ctx;
  s->n++;
  size_t l = strlen(s->text);
  snprintf(s->text + l, sizeof s->text - l, "%s|%s|%s|%lld;", x->id, x->title, x->subject, (long long)x->sentAt);
  return 0;
}

static int onActivity(void *ctx, const EspActivity *a) {
  Seen *s = ctx;
  s->n++;
  size_t l = strlen(s->text);
  snprintf(s->text + l, sizeof s->text - l, "%s:%d:%ld:%d;", a->email, (int)a->kind, a->count, a->key != NULL);
  return 0;
}

static const EspMember *member(const EspMembers *m, const char *email) {
  for (size_t i = 0; i < m->n; i++) if (!strcmp(m->v[i].email, email)) return &m->v[i];
  return NULL;
}

static void testCredentials(void) {
  char err[512] = "", *user = strdup(getenv("CAMP_DOTDIGITAL_USER"));
  unsetenv("CAMP_DOTDIGITAL_USER");
  EspConn c;
  conn(&c, 0, "");
  check(campEspDotdigital.open(&c, err, sizeof err) < 0 && strstr(err, "CAMP_DOTDIGITAL_USER is not set"),
        "open without a user says which variable is missing");
  campEspDotdigital.close(&c);
  setenv("CAMP_DOTDIGITAL_PASSWORD", "wrong", 1);
  setenv("CAMP_DOTDIGITAL_USER", user, 1);
  conn(&c, 0, "");
  check(campEspDotdigital.open(&c, err, sizeof err) < 0 && strstr(err, "401") &&
        strstr(err, "Authorization has been denied"), "a wrong password: the 401 in Dotdigital's words");
  printf("# %s\n", err);
  campEspDotdigital.close(&c);
  free(user);
}

/* A dry run reads only: no book, no field created. */
static void testDryOpen(void) {
  char err[512] = "";
  EspConn c;
  conn(&c, 1, "");
  long posts = routeCount("POST /v2/address-books") + routeCount("POST /v2/data-fields");
  check(campEspDotdigital.open(&c, err, sizeof err) == 0, "dry-run open");
  check(!*c.remoteId, "dry run: the missing book is not created");
  EspMembers m = { 0 };
  check(campEspDotdigital.members(&c, &m, err, sizeof err) == 0 && m.n == 0, "dry run: no members without a book");
  check(routeCount("POST /v2/address-books") + routeCount("POST /v2/data-fields") == posts, "dry run: nothing posted");
  campEspDotdigital.close(&c);
}

static void testOpen(char *bookId, size_t size) {
  char err[512] = "";
  EspConn c;
  conn(&c, 0, "");
  check(campEspDotdigital.open(&c, err, sizeof err) == 0, "open creates the book");
  check(*c.remoteId != 0, "the book's id is known");
  snprintf(bookId, size, "%s", c.remoteId);
  check(!strncmp(c.http.base, getenv("CAMP_DOTDIGITAL_URL"), strlen(c.http.base)), "the base is account-info's "
        "ApiEndpoint");
  json_t *st = control("GET", "/_fake/state", NULL);
  char *dump = json_dumps(st, JSON_COMPACT);
  check(dump && strstr(dump, "\"CITY\""), "the CITY data field was created");
  check(dump && strstr(dump, "\"Newsletter\""), "the book Newsletter exists");
  free(dump);
  json_decref(st);
  campEspDotdigital.close(&c);
  long creates = routeCount("POST /v2/address-books");
  conn(&c, 0, bookId);
  check(campEspDotdigital.open(&c, err, sizeof err) == 0 && !strcmp(c.remoteId, bookId), "reopen by id");
  campEspDotdigital.close(&c);
  conn(&c, 0, "");
  check(campEspDotdigital.open(&c, err, sizeof err) == 0 && !strcmp(c.remoteId, bookId), "reopen finds it by name");
  check(routeCount("POST /v2/address-books") == creates, "no second book");
  campEspDotdigital.close(&c);
}

static void testApply(const char *bookId) {
  char err[512] = "";
  EspConn c;
  conn(&c, 0, bookId);
  check(campEspDotdigital.open(&c, err, sizeof err) == 0, "open for apply");
  json_decref(control("POST", "/_fake/import_polls", "{\"n\": 2}"));
  char *annV[] = { "Ann, \"A.\"", "Oslo" }, *bobV[] = { "Bob", NULL }, *carlV[] = { "Carl", "Rome" };
  EspChange add[] = { { ESP_ADD, "ann@example.com", annV, NULL }, { ESP_ADD, "bob@example.com", bobV, NULL },
                      { ESP_ADD, "carl@example.com", carlV, NULL } };
  Seen f = { "", 0 };
  long polls = routeCount("GET /v2/contacts/import/{importId}");
  check(campEspDotdigital.apply(&c, add, 3, onFail, &f, err, sizeof err) == 0, "apply: three adds");
  check(f.n == 0, "no member refused");
  check(routeCount("GET /v2/contacts/import/{importId}") - polls == 3, "the import polled until Finished (3 GETs)");
  check(routeCount("POST /v2/address-books/{addressBookId}/contacts/import") == 1, "one CSV import for all");
  EspMembers m = { 0 };
  check(campEspDotdigital.members(&c, &m, err, sizeof err) == 0 && m.n == 3, "three members");
  const EspMember *ann = member(&m, "ann@example.com"), *bob = member(&m, "bob@example.com");
  check(ann && ann->status == ESP_SUBSCRIBED && ann->values[0] && !strcmp(ann->values[0], "Ann, \"A.\"") &&
        ann->values[1] && !strcmp(ann->values[1], "Oslo") && ann->id, "ann's values survive CSV quoting");
  check(bob && !bob->values[1], "an empty value reads back as NULL");
  char bobId[32];
  snprintf(bobId, sizeof bobId, "%s", bob ? bob->id : "0");
  campEspMembersFree(&m, 2);

  /* a contact Dotdigital refuses: its row in the faults report, in Dotdigital's words */
  json_decref(control("POST", "/_fake/contacts/carl@example.com/status", "{\"status\": \"HardBounced\"}"));
  json_decref(control("POST", "/_fake/import_polls", "{\"n\": 0}"));
  char *carl2[] = { "Carlo", "Rome" };
  EspChange upd[] = { { ESP_UPDATE, "carl@example.com", carl2, NULL }, { ESP_REMOVE, "bob@example.com", NULL, bobId },
                      { ESP_DELETE, "zed@example.com", NULL, NULL } };
  Seen f2 = { "", 0 };
  check(campEspDotdigital.apply(&c, upd, 3, onFail, &f2, err, sizeof err) == 0, "apply: update + remove");
  check(strstr(f2.text, "carl@example.com=dotdigital: Hard bounced;") != NULL, "carl refused as Hard bounced");
  check(strstr(f2.text, "zed@example.com=") != NULL && f2.n == 2, "a removal without an id is refused, not sent");
  printf("# refused: %s\n", f2.text);
  m = (EspMembers){ 0 };
  check(campEspDotdigital.members(&c, &m, err, sizeof err) == 0 && m.n == 2 && !member(&m, "bob@example.com"),
        "bob deleted from the book");
  const EspMember *carl = member(&m, "carl@example.com");
  check(carl && carl->status == ESP_CLEANED, "a hard-bounced contact reads as cleaned");
  campEspMembersFree(&m, 2);

  /* a failed import is an error naming the status */
  json_decref(control("POST", "/_fake/import_polls", "{\"n\": 1, \"status\": \"RejectedByWatchdog\"}"));
  EspChange dan[] = { { ESP_ADD, "dan@example.com", bobV, NULL } };
  check(campEspDotdigital.apply(&c, dan, 1, onFail, &f2, err, sizeof err) < 0 && strstr(err, "RejectedByWatchdog"),
        "a rejected import fails with its status");
  printf("# %s\n", err);
  json_decref(control("POST", "/_fake/import_polls", "{\"n\": 0, \"status\": \"Finished\"}"));

  /* 1,500 more: one import, two pages when read back */
  size_t n = 1500;
  EspChange *many = calloc(n, sizeof *many);
  char (*emails)[32] = calloc(n, 32);
  for (size_t i = 0; i < n; i++) {
    snprintf(emails[i], 32, "m%04zu@example.com", i);
    many[i] = (EspChange){ ESP_ADD, emails[i], bobV, NULL };
  }
  long pages = routeCount("GET /v2/address-books/{addressBookId}/contacts");
  check(campEspDotdigital.apply(&c, many, n, onFail, &f2, err, sizeof err) == 0, "apply: 1500 adds");
  m = (EspMembers){ 0 };
  check(campEspDotdigital.members(&c, &m, err, sizeof err) == 0 && m.n == 1502, "1502 members read back");
  check(routeCount("GET /v2/address-books/{addressBookId}/contacts") - pages == 2, "in two pages of 1000");
  /* ... and 1,500 removals: two delete calls of <= 1000 ids */
  for (size_t i = 0; i < n; i++) {
    const EspMember *x = member(&m, emails[i]);
    many[i] = (EspChange){ ESP_REMOVE, emails[i], NULL, x ? x->id : NULL };
  }
  long dels = routeCount("POST /v2/address-books/{addressBookId}/contacts/delete");
  check(campEspDotdigital.apply(&c, many, n, onFail, &f2, err, sizeof err) == 0, "apply: 1500 removals");
  check(routeCount("POST /v2/address-books/{addressBookId}/contacts/delete") - dels == 2, "two delete calls");
  campEspMembersFree(&m, 2);
  m = (EspMembers){ 0 };
  check(campEspDotdigital.members(&c, &m, err, sizeof err) == 0 && m.n == 2, "back to two members");
  campEspMembersFree(&m, 2);
  free(many);
  free(emails);
  campEspDotdigital.close(&c);
}

static void testStatuses(const char *bookId) {
  char err[512] = "", next[64] = "";
  EspConn c;
  conn(&c, 0, bookId);
  check(campEspDotdigital.open(&c, err, sizeof err) == 0, "open for statuses");
  json_decref(control("POST", "/_fake/clock", "{\"now\": \"2026-03-20T09:00:00+00:00\"}"));
  json_decref(control("POST", "/_fake/contacts/ann@example.com/status", "{\"status\": \"Unsubscribed\"}"));
  Seen s = { "", 0 };
  check(campEspDotdigital.statuses(&c, "", onStatus, &s, next, sizeof next, err, sizeof err) == 0, "statuses");
  printf("# statuses: %s next %s\n", s.text, next);
  check(strstr(s.text, "ann@example.com:2:Unsubscribed;") && s.n == 2, "ann unsubscribed, reported once");
  check(strstr(s.text, "carl@example.com:3:HardBounced;") != NULL, "carl hard bounced = cleaned");
  check(!strcmp(next, "2026-03-20T09:00:00Z"), "the cursor is the latest date");
  json_decref(control("POST", "/_fake/clock", "{\"now\": \"2026-03-21T09:00:00+00:00\"}"));
  json_decref(control("POST", "/_fake/contacts/m0001@example.com/status", "{\"status\": \"ISPComplained\"}"));
  Seen s2 = { "", 0 };
  char next2[64];
  check(campEspDotdigital.statuses(&c, "2026-03-20T10:00:00Z", onStatus, &s2, next2, sizeof next2, err, sizeof err) == 0
        && s2.n == 1 && strstr(s2.text, "m0001@example.com:4:IspComplained;"), "since the cursor: only the complaint");
  campEspDotdigital.close(&c);
}

static void testCampaigns(const char *bookId) {
  char err[512] = "", id[64] = "", next[64] = "";
  EspConn c;
  conn(&c, 0, bookId);
  check(campEspDotdigital.open(&c, err, sizeof err) == 0, "open for campaigns");
  char *doraV[] = { "Dora", "Lima" };
  EspChange add[] = { { ESP_ADD, "dora@example.com", doraV, NULL }, { ESP_ADD, "eve@example.com", doraV, NULL } };
  Seen f = { "", 0 };
  check(campEspDotdigital.apply(&c, add, 2, onFail, &f, err, sizeof err) == 0 && f.n == 0, "dora and eve join");
  check(!strcmp(campEspDotdigital.mergeTag, "@%s@") && campEspDotdigital.totals == 1, "merge tag and totals");
  EspMailing ml = { "spring", "Spring", "Spring sale", "Shop", "shop@example.com",
                    "<p>Hi @FIRSTNAME@</p>", "Hi @FIRSTNAME@", 0 };
  check(campEspDotdigital.create(&c, &ml, id, sizeof id, err, sizeof err) == 0 && *id, "create a campaign");
  int sent = -1;
  check(campEspDotdigital.state(&c, id, &sent, err, sizeof err) == 0 && sent == 0, "not sent yet");
  check(campEspDotdigital.send(&c, id, 0, err, sizeof err) == 0, "send it now");
  check(campEspDotdigital.state(&c, id, &sent, err, sizeof err) == 0 && sent == 1, "sent");
  Seen s = { "", 0 };
  check(campEspDotdigital.campaigns(&c, "", onCampaign, &s, next, sizeof next, err, sizeof err) == 0, "campaigns");
  printf("# campaigns: %s next %s\n", s.text, next);
  char want[128];
  snprintf(want, sizeof want, "%s|Spring|Spring sale|", id);
  check(s.n == 1 && strstr(s.text, want), "the campaign sent to the book, with its name and subject");
  Seen s2 = { "", 0 };
  char next2[64];
  check(campEspDotdigital.campaigns(&c, "2026-04-01T00:00:00Z", onCampaign, &s2, next2, sizeof next2, err,
                                    sizeof err) == 0 && s2.n == 0, "none sent since a later date");
  /* activity totals */
  json_decref(control("POST", "/_fake/clock", "{\"now\": \"2026-03-22T09:00:00+00:00\"}"));
  char path[128];
  snprintf(path, sizeof path, "/_fake/campaigns/%s/activity", id);
  json_decref(control("POST", path, "{\"email\": \"dora@example.com\", \"opens\": 3, \"clicks\": 2}"));
  json_decref(control("POST", path, "{\"email\": \"eve@example.com\", \"softBounced\": true}"));
  Seen a = { "", 0 };
  check(campEspDotdigital.activity(&c, id, "", onActivity, &a, next, sizeof next, err, sizeof err) == 0, "activity");
  printf("# activity: %.300s... (%d) next %s\n", a.text, a.n, next);
  check(strstr(a.text, "dora@example.com:1:1:0;dora@example.com:2:3:0;dora@example.com:3:2:0;") != NULL,
        "dora: sent 1, opens 3, clicks 2 (totals, no keys)");
  check(strstr(a.text, "eve@example.com:1:1:0;eve@example.com:4:1:0;") != NULL && a.n == 5, "eve: sent, bounced");
  Seen a2 = { "", 0 };
  char next2b[64];
  check(campEspDotdigital.activity(&c, id, "2026-03-22T00:00:00Z", onActivity, &a2, next2b, sizeof next2b, err,
                                   sizeof err) == 0 && a2.n == 5, "since a date: only the contacts that changed");
  printf("# activity since: %s\n", a2.text);
  /* content arrives without camp's value marks (sync_deliver.c); text that is not UTF-8 is refused, named */
  EspMailing marked = ml;
  char mid[64] = "";
  marked.html = "<p>Hi \xfe@FIRSTNAME@\xff</p>";
  check(campEspDotdigital.create(&c, &marked, mid, sizeof mid, err, sizeof err) < 0 && strstr(err, "htmlContent is not UTF-8"),
        "HTML that is not UTF-8: said so");
  marked.html = ml.html;
  marked.subject = "bad \xc3(";
  check(campEspDotdigital.create(&c, &marked, mid, sizeof mid, err, sizeof err) < 0 && strstr(err, "subject is not UTF-8"),
        "a subject that is not UTF-8: said so");
  /* a scheduled send counts as sent for `via` */
  EspMailing later = ml;
  later.name = "summer";
  later.title = "Summer";
  check(campEspDotdigital.create(&c, &later, id, sizeof id, err, sizeof err) == 0, "create another");
  check(campEspDotdigital.send(&c, id, 1900000000, err, sizeof err) == 0, "schedule it");
  check(campEspDotdigital.state(&c, id, &sent, err, sizeof err) == 0 && sent == 1, "scheduled = sent for via");
  campEspDotdigital.close(&c);
}

/* 429 with Retry-After and 500s on the way: the driver's calls still succeed. */
static void testStorm(const char *bookId) {
  char err[512] = "";
  json_decref(control("POST", "/_fake/fail", "{\"status\": 429, \"count\": 3, \"retry_after\": \"1\"}"));
  json_decref(control("POST", "/_fake/fail", "{\"status\": 500, \"count\": 2, \"match\": \"/contacts\"}"));
  EspConn c;
  conn(&c, 0, bookId);
  check(campEspDotdigital.open(&c, err, sizeof err) == 0, "open through a 429 storm");
  EspMembers m = { 0 };
  check(campEspDotdigital.members(&c, &m, err, sizeof err) == 0 && m.n == 4, "members through 500s");
  check(c.http.retries >= 5, "the retries were counted");
  campEspMembersFree(&m, 2);
  campEspDotdigital.close(&c);
}

int main(void) {
  char err[512];
  if (!getenv("CAMP_DOTDIGITAL_URL") || campEspHttpOpen(&ctl, "fake", getenv("CAMP_DOTDIGITAL_URL"), "", "", err,
                                                        sizeof err) < 0) {
    printf("CAMP_DOTDIGITAL_URL: the fake's base\n0 passed, 1 failed\n");
    return 1;
  }
  char bookId[64] = "";
  json_decref(control("POST", "/_fake/clock", "{\"now\": \"2026-03-19T09:00:00+00:00\"}"));
  testDryOpen();
  testOpen(bookId, sizeof bookId);
  testApply(bookId);
  testStatuses(bookId);
  testCampaigns(bookId);
  testStorm(bookId);
  testCredentials();
  campEspHttpClose(&ctl);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
