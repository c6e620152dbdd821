/*
** cli/visits.c -- camp visits (the visits of the tracked websites) and
** camp forget (a contact's web traces erased).
**
** Owns: the two commands' options, messages and exit codes, and grouping
** the pending hits before anything reads visits (campVisitsGroup, which
** camp report --website and --initiative call too).  Does not own: the
** grouping, listing or erasing (runtime/store_visit.c) or the reports
** (runtime/store_webreport.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/clock.h"
#include "runtime/engine.h"
#include "runtime/store.h"

int campVisitsGroup(Engine *e, char *err, size_t errSize) {
  int pending = campStoreVisitsPending(e);
  if (pending < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  if (!pending) return 0;             /* no write lock taken for nothing */
  if (campStoreBegin(e, 1, err, errSize) != 0) return -1;
  if (campStoreVisitsGroup(e, err, errSize) < 0) { campStoreRollback(e); return -1; }
  return campStoreCommit(e, err, errSize);
}

/* --since: a time, or an offset from the database's clock (+2h, -7d). */
static int sinceTime(const char *s, int64_t now, int64_t *out) {
  if (s[0] != '-') return campClockParse(s, now, out);
  char *plus = strdup(s);
  if (!plus) return -1;
  plus[0] = '+';
  int64_t later;
  int rc = campClockParse(plus, now, &later);
  free(plus);
  if (rc == 0) *out = now - (later - now);
  return rc;
}

/* A record id operand or option value; 0, or -1 when it is not one. */
static int recordId(const char *s, int64_t *out) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (!*s || *end || v <= 0) return -1;
  *out = v;
  return 0;
}

static int failed(const char *cmd, Engine *e, const char *err) {
  fprintf(stderr, "camp %s: %s\n", cmd, err);
  campEngineClose(e);
  return 1;
}

/* camp visits [--website W] [--record ID [--model M]] [--initiative X] [--since T] [--bots] [--format F]. */
static int visits(const CliArgs *a) {
  static const char *const formats[] = { "table", "json", NULL };
  ReportFormat f;
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  StoreVisitQuery q = { .website = a->opt[O_WEBSITE], .model = a->opt[O_MODEL], .initiative = a->opt[O_INITIATIVE],
                        .since = INT64_MIN, .bots = a->opt[O_BOTS] != NULL };
  if (a->npos) return campCliUsage(a->cmd, "usage: camp visits [--db DB] [--website NAME] [--record ID [--model M]] [--initiative CODE] "
                                          "[--since TIME] [--bots] [--format table|json]");
  if (a->opt[O_RECORD]) {
    if (recordId(a->opt[O_RECORD], &q.record) < 0) return campCliUsage(a->cmd, "--record takes a record id");
    q.hasRecord = 1;
  } else if (q.model) return campCliUsage(a->cmd, "--model goes with --record");
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp %s: %s\n", a->cmd, err); return 1; }
  if (a->opt[O_SINCE] && sinceTime(a->opt[O_SINCE], campEngineNow(e), &q.since) < 0) {
    campEngineClose(e);
    return campCliUsage(a->cmd, "--since is not a time (ISO 8601, or +N/-N with m, h, d or w)");
  }
  if (campVisitsGroup(e, err, sizeof err) < 0 || campStoreVisitsList(e, &q, f, stdout, err, sizeof err) < 0) return failed(a->cmd, e, err);
  campEngineClose(e);
  return 0;
}

/* camp forget [--model M] RECORD: in one transaction. */
static int forget(const CliArgs *a) {
  int64_t record;
  if (a->npos != 1 || recordId(a->pos[0], &record) < 0)
    return campCliUsage(a->cmd, "usage: camp forget [--db DB] [--model MODEL] RECORD (a record id)");
  char err[512], *model = NULL;
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp %s: %s\n", a->cmd, err); return 1; }
  if (a->opt[O_MODEL]) model = strdup(a->opt[O_MODEL]);
  else {
    int rc = campStoreVisitsModel(e, &model, err, sizeof err);
    if (rc < 0) return failed(a->cmd, e, err);
    if (rc == 0) {
      printf("nothing to forget: no hit belongs to a contact\n");
      campEngineClose(e);
      return 0;
    }
    if (rc == 2) { campEngineClose(e); return campCliUsage(a->cmd, "hits belong to contacts of several models: give --model"); }
  }
  if (!model) return failed(a->cmd, e, "out of memory");
  StoreForgotten f = { 0 };
  if (campStoreBegin(e, 1, err, sizeof err) != 0 || campStoreVisitsForget(e, model, record, &f, err, sizeof err) < 0 ||
      campStoreCommit(e, err, sizeof err) < 0) {
    campStoreRollback(e);
    free(model);
    return failed(a->cmd, e, err);
  }
  if (!f.hits && !f.visits) printf("nothing to forget: %s %lld has no hit, visit or visitor id\n", model, (long long)record);
  else
    printf("forgot %s %lld: %ld visit%s, %ld hit%s, %ld visitor id%s\n", model, (long long)record, f.visits, f.visits == 1 ? "" : "s",
           f.hits, f.hits == 1 ? "" : "s", f.visitors, f.visitors == 1 ? "" : "s");
  free(model);
  campEngineClose(e);
  return 0;
}

#define VISITS_EXITS "0\tdone\n1\tthe database failed, or no such website or initiative\n2\tusage error"

const CliSpec campCmdVisits = {
  "visits", "the visits of the tracked websites, newest first", visits,
  "camp visits [--db DB] [--website NAME] [--record ID [--model MODEL]] [--initiative CODE|NAME] [--since TIME] [--bots]\n"
  "            [--format table|json]",
  "Hits are grouped into visits first (per website, visitor id and contact, with a 30-minute\n"
  "inactivity cut).  Per visit: website, visitor id, contact (model:id, or anonymous), first and last\n"
  "time, page views, events, referrer, campaign code, UTM source/medium, IP and user-agent class.\n"
  "Bots' visits are left out unless --bots.  --initiative: visits whose code is one it has or had.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_WEBSITE, NULL }, { O_RECORD, "only the visits of record ID" },
                       { O_MODEL, "the model of --record (default: any)" },
                       { O_INITIATIVE, "only the visits credited to it: its name, or any code it has or had" },
                       { O_SINCE, NULL }, { O_BOTS, NULL }, { O_FORMAT, "table (default) or json" }, { CLI_NOPT, NULL } },
  NULL, "camp visits --db shop.db --website shop --since -7d", VISITS_EXITS, 0,
};

const CliSpec campCmdForget = {
  "forget", "erase a contact's visits, hits and visitor ids (GDPR erasure)", forget,
  "camp forget [--db DB] [--model MODEL] RECORD",
  "In one transaction: every hit and visit of the contact, and the anonymous hits and visits of every\n"
  "visitor id it was seen with; another contact's hits stay.  Prints what it removed (\"forgot\n"
  "contact 42: 3 visits, 17 hits, 2 visitor ids\"), or \"nothing to forget\" (exit 0) when there is none.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_MODEL, "the contact's model (default: the only model that has hits)" },
                       { CLI_NOPT, NULL } },
  NULL, "camp forget --db shop.db --model contact 42", "0\tdone (or nothing to forget)\n1\tthe database failed (nothing removed)\n2\tusage error", 0,
};
