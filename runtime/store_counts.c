/*
** runtime/store_counts.c -- how far a deployed campaign has got, as numbers.
**
** Owns: a campaign's state and participants by state, and per
** activity its traces by state and its messages sent, opened, clicked,
** replied and bounced -- what `camp graph --db` draws on the workflow.
** Test participants never count; the numbers are camp report's (a test
** compares them).  Does not own: printing them (compiler/graph.c through
** cli/graph.c) or the report (store_report.c).
*/
#include <stdio.h>
#include <string.h>
#include "runtime/store_engine.h"

int campStoreCampaignCounts(Engine *e, int64_t campaign, StoreCampaignCounts *c, char *err, size_t errSize) {
  memset(c, 0, sizeof *c);
  DbStmt *st = campDbPrepare(e->conn, "SELECT state FROM camp_campaign WHERE id = ?", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  int rc = campDbStep(st);
  if (rc == DB_ROW) {
    snprintf(c->state, sizeof c->state, "%s", campDbColumnType(st, 0) == DB_NULL ? "?" : campDbColumnText(st, 0));
    rc = campDbStep(st);
  } else if (rc == DB_DONE) {
    snprintf(err, errSize, "no campaign %lld", (long long)campaign);
    campDbFinalize(st);
    return -1;
  }
  if (campDbFinish(st, rc, err, errSize) < 0) return -1;
  st = campDbPrepare(e->conn, "SELECT state, count(*) FROM camp_participant WHERE campaign = ? AND test = 0 GROUP BY state", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (campDbColumnType(st, 0) == DB_NULL) continue;
    const char *state = campDbColumnText(st, 0);
    int64_t n = campDbColumnInt64(st, 1);
    if (!strcmp(state, "running")) c->running = n;
    else if (!strcmp(state, "completed")) c->completed = n;
    else if (!strcmp(state, "left")) c->left = n;
    else if (!strcmp(state, "unlinked")) c->unlinked = n;
  }
  return campDbFinish(st, rc, err, errSize);
}

int campStoreActivityCounts(Engine *e, int64_t campaign, StoreCountsFn fn, void *ctx, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT a.name, a.kind, a.idx,"
    " " Q_COUNT("t.state IN (" Q_SCHEDULED ", " Q_WAITING ", " Q_SENDING ")") ", " Q_COUNT("t.state = " Q_PROCESSED) ","
    " " Q_COUNT("t.state = " Q_REJECTED) ", " Q_COUNT("t.state = " Q_CANCELED) ", " Q_COUNT("t.state = " Q_ERROR) ","
    " " Q_COUNT("t.state = " Q_PROCESSED " AND t.message_id IS NOT NULL") ", " Q_COUNT("(t.events & " Q_EV_OPEN ") <> 0") ","
    " " Q_COUNT("(t.events & " Q_EV_CLICK ") <> 0") ", " Q_COUNT("(t.events & " Q_EV_REPLY ") <> 0") ","
    " " Q_COUNT("(t.events & " Q_EV_BOUNCE ") <> 0")
    " FROM camp_activity a LEFT JOIN camp_trace t ON t.activity = a.id"
    " AND t.participant IN (SELECT id FROM camp_participant WHERE campaign = ?1 AND test = 0)"
    " WHERE a.campaign = ?1 GROUP BY a.id ORDER BY a.idx < 0, a.idx, a.name", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  int rc, stop = 0;
  while (!stop && (rc = campDbStep(st)) == DB_ROW) {
    StoreActivityCounts c = { campDbColumnText(st, 0), (int)campDbColumnInt64(st, 1), (int)campDbColumnInt64(st, 2),
                              campDbColumnInt64(st, 3), campDbColumnInt64(st, 4), campDbColumnInt64(st, 5),
                              campDbColumnInt64(st, 6), campDbColumnInt64(st, 7), campDbColumnInt64(st, 8),
                              campDbColumnInt64(st, 9), campDbColumnInt64(st, 10), campDbColumnInt64(st, 11),
                              campDbColumnInt64(st, 12) };
    stop = fn(ctx, &c);
  }
  if (stop) { campDbFinalize(st); return stop; }
  return campDbFinish(st, rc, err, errSize);
}
