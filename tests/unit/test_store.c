/*
** tests/unit/test_store.c -- the store's verbs (runtime/store.h) on an
** in-memory SQLite database: their contracts, without the scheduler.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/store.h"
#include "test.h"
#include "compile_source.h"

static const char *src =
  "model contact {\n  name text\n  email email\n}\n"
  "campaign c \"C\" {\n  target contact\n  where email is set\n"
  "  email hello after 1 hour {\n    subject \"Hi\"\n    body \"<p>x</p>\"\n"
  "    on open within 3 days { action opened { note(\"o\") } }\n  }\n}\n";

static uint8_t *compile(size_t *len) { return testCompileImage("t.camp", src, len); }

/* Three contacts, the second without an email, through the importer. */
static int importContacts(Engine *e) {
  char path[] = "/tmp/camp_test_storeXXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  const char csv[] = "name,email\nAda,ada@example.com\nBob,\nCy,cy@example.com\n";
  int ok = write(fd, csv, sizeof csv - 1) == (ssize_t)(sizeof csv - 1);
  close(fd);
  long added = 0, updated = 0;
  char err[256];
  int rc = ok ? campStoreImport(e, "contact", NULL, path, 0, stderr, &added, &updated, err, sizeof err) : -1;
  unlink(path);
  return rc < 0 || added != 3 ? -1 : 0;
}

/* StoreRowFn: collect the ids. */
typedef struct Ids { int64_t id[8]; int n, gone; } Ids;
static int collect(void *ctx, int64_t id, const VmRecord *r) {
  Ids *ids = ctx;
  if (!r) ids->gone++;
  if (ids->n < 8) ids->id[ids->n++] = id;
  return 0;
}

static const int64_t T0 = 1767600000;      /* 2026-01-05T08:00:00Z */

int main(void) {
  char err[512];
  size_t len = 0;
  uint8_t *img = compile(&len);
  CHECK(img != NULL);
  Engine *e = campEngineOpen(":memory:", 1, T0, err, sizeof err);
  CHECK(e != NULL);
  if (!img || !e) return TEST_END();
  CHECK_EQ_INT(campEngineDeploy(e, &(DeployImage){ img, len, NULL }, 1, &(DeployOptions){ .start = 1 }, err, sizeof err), 1);
  CHECK_EQ_INT(importContacts(e), 0);
  CHECK(campStoreRecorder(e) == NULL);                     /* no file: no second connection */

  int64_t cid = campStoreCampaignId(e, "c", err, sizeof err);
  CHECK(cid > 0);
  CHECK_EQ_INT(campStoreCampaignId(e, "nope", err, sizeof err), 0);
  const Loaded *l = campStoreLoaded(e, cid, err, sizeof err);
  CHECK(l != NULL);
  if (!l) return TEST_END();

  /* newcomers come in record id order; after enrolment they are not newcomers */
  Ids ids = { { 0 }, 0, 0 };
  CHECK_EQ_INT(campStoreBegin(e, 1, err, sizeof err), 0);
  CHECK_EQ_INT(campStoreEachNewcomer(e, l, collect, &ids, err, sizeof err), 0);
  CHECK_EQ_INT(ids.n, 3);
  CHECK(ids.id[0] < ids.id[1] && ids.id[1] < ids.id[2]);
  int64_t pa = 0, pc = 0;
  uint32_t hello = campProgramFindActivity(l->p, l->camp, "hello"), opened = campProgramFindActivity(l->p, l->camp, "opened");
  CHECK_EQ_INT(campStoreEnrol(e, cid, ids.id[0], "ada@example.com", 0, T0, &pa), 0);
  CHECK_EQ_INT(campStoreEnrol(e, cid, ids.id[2], NULL, 0, T0, &pc), 0);
  CHECK(campStoreUniqueTaken(e, cid, "ada@example.com"));
  CHECK(!campStoreUniqueTaken(e, cid, "cy@example.com"));
  CHECK_EQ_INT(campStoreSpawn(e, pa, l->actId[hello], 0, TRACE_SCHEDULED, T0 + 3600, 1, T0), 0);
  CHECK_EQ_INT(campStoreSpawn(e, pc, l->actId[hello], 0, TRACE_SCHEDULED, T0 + 7200, 1, T0), 0);
  CHECK_EQ_INT(campStoreCommit(e, err, sizeof err), 0);
  Ids left = { { 0 }, 0, 0 };
  CHECK_EQ_INT(campStoreEachNewcomer(e, l, collect, &left, err, sizeof err), 0);
  CHECK_EQ_INT(left.n, 1);
  Ids parts = { { 0 }, 0, 0 };
  CHECK_EQ_INT(campStoreEachParticipant(e, l, collect, &parts, err, sizeof err), 0);
  CHECK_EQ_INT(parts.n, 2);
  CHECK_EQ_INT(parts.gone, 0);

  /* due work: nothing before its time, then by due time */
  DueTrace due[4];
  CHECK_EQ_INT(campStoreNextDue(e, 0), T0 + 3600);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 3599, 0, 0, 0, due, 4, err, sizeof err), 0);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 7200, 0, 0, 0, due, 4, err, sizeof err), 2);
  CHECK_EQ_INT(due[0].participant, pa);
  CHECK_EQ_INT(due[0].state, TRACE_SCHEDULED);
  CHECK_EQ_INT(due[0].actIdx, (int)hello);
  CHECK_EQ_STR(due[0].messageId, "");
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 7200, 0, 0, 0, due, 1, err, sizeof err), 1);   /* at most max */
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 7200, 1, 0, 0, due, 4, err, sizeof err), 0);   /* no test participants */

  /* a claim: a live runner's send is nobody else's due work */
  CHECK_EQ_INT(campStoreBegin(e, 1, err, sizeof err), 0);
  CHECK_EQ_INT(campStoreRunnerBeat(e, err, sizeof err), 0);
  int64_t me = campStoreRunner(e);
  CHECK(me > 0);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 3600, 0, 0, 0, due, 4, err, sizeof err), 1);
  int64_t ta = due[0].trace;
  char mid[32];
  snprintf(mid, sizeof mid, "t%lld.abc@camp", (long long)ta);
  int64_t links = campStoreLinkset(e, "http://a/\nhttp://b/\n", 20);
  CHECK(links > 0);
  CHECK_EQ_INT(campStoreLinkset(e, "http://a/\nhttp://b/\n", 20), links);   /* the same list is kept once */
  CHECK(campStoreLinkset(e, "http://c/\n", 10) != links);
  CHECK_EQ_INT(campStoreClaimSend(e, ta, mid, links), 0);
  CHECK_EQ_INT(campStoreCommit(e, err, sizeof err), 0);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 3600, 0, 0, 0, due, 4, err, sizeof err), 0);
  char url[64];
  CHECK_EQ_INT(campStoreLinkUrl(e, ta, 1, url, sizeof url), 0);
  CHECK_EQ_STR(url, "http://b/");

  /* settling: only by the owner, once */
  CHECK_EQ_INT(campStoreSettle(e, ta, me + 1, TRACE_PROCESSED, NULL, T0 + 3600), 0);
  CHECK_EQ_INT(campStoreRetry(e, ta, me, T0 + 4000, "attempt 1: busy"), 0);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 3999, 0, 0, 0, due, 4, err, sizeof err), 0);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 4000, 0, 0, 0, due, 4, err, sizeof err), 1);   /* back in line, same Message-ID */
  CHECK_EQ_INT(due[0].state, TRACE_SENDING);
  CHECK_EQ_INT(due[0].attempts, 1);
  CHECK_EQ_STR(due[0].messageId, mid);
  CHECK_EQ_INT(campStoreClaimSend(e, ta, due[0].messageId, links), 0);
  CHECK_EQ_INT(campStoreRelease(e, ta, me), 0);                                    /* let go: stays sending */
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 7200, 0, 0, 0, due, 4, err, sizeof err), 2);
  CHECK_EQ_INT(due[0].trace, ta);                                                  /* interrupted sends first */
  CHECK_EQ_INT(campStoreClaimSend(e, ta, due[0].messageId, links), 0);
  CHECK_EQ_INT(campStoreSettle(e, ta, me, TRACE_PROCESSED, NULL, T0 + 3600), 1);
  CHECK_EQ_INT(campStoreSettle(e, ta, me, TRACE_PROCESSED, NULL, T0 + 3600), 0);  /* idempotent */

  /* an event finds the message by its whole ID only; children by parent */
  StoreMessage m;
  char forged[32];
  snprintf(forged, sizeof forged, "t%lld.abd@camp", (long long)ta);
  CHECK_EQ_INT(campStoreFindMessage(e, forged, &m, err, sizeof err), 1);
  CHECK_EQ_INT(campStoreFindMessage(e, mid, &m, err, sizeof err), 0);
  CHECK_EQ_INT(m.trace, ta);
  CHECK_EQ_INT(m.participant, pa);
  CHECK(m.active);
  CHECK_EQ_INT(campStoreSpawn(e, pa, l->actId[opened], ta, TRACE_WAITING, T0 + 3600 + 3 * 86400, 1, T0 + 3600), 0);
  StoreChild *kids;
  int nk;
  CHECK_EQ_INT(campStorePendingChildren(e, pa, ta, &kids, &nk), 0);
  CHECK_EQ_INT(nk, 1);
  CHECK_EQ_INT(nk ? kids[0].state : -1, TRACE_WAITING);
  free(kids);
  CHECK_EQ_INT(campStoreComplete(e, pa), 0);                                        /* a child is pending */

  /* a window that ends cancels its armed trace; the participant completes */
  int64_t *ended = NULL;
  CHECK_EQ_INT(campStoreNextDue(e, 0), T0 + 7200);
  CHECK_EQ_INT(campStoreExpireWindows(e, T0 + 3 * 86400, &ended, err, sizeof err), 0);
  free(ended);
  ended = NULL;
  CHECK_EQ_INT(campStoreExpireWindows(e, T0 + 3600 + 3 * 86400, &ended, err, sizeof err), 1);
  CHECK_EQ_INT(ended ? ended[0] : 0, pa);
  free(ended);
  CHECK_EQ_INT(campStoreComplete(e, pa), 1);
  CHECK_EQ_INT(campStoreComplete(e, pa), 0);                                        /* once */

  /* leaving cancels what is pending */
  CHECK_EQ_INT(campStoreLeave(e, pc, 0, "record no longer matches the campaign filter", T0), 0);
  CHECK_EQ_INT(campStoreTakeDue(e, T0 + 86400, 0, 0, 0, due, 4, err, sizeof err), 0);
  CHECK_EQ_INT(campStoreNextDue(e, 0), INT64_MAX);

  /* names and the clock */
  CHECK_EQ_STR(campStoreStateName(TRACE_SENDING), "sending");
  CHECK_EQ_STR(campStoreStateName(TRACE_WAITING), "waiting");
  CHECK_EQ_STR(campStoreStateName(99), "?");
  CHECK_EQ_INT(campStoreSetClock(e, T0 + 10), 0);
  CHECK_EQ_INT(campEngineNow(e), T0 + 10);
  campEngineClose(e);
  free(img);
  return TEST_END();
}
