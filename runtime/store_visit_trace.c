/*
** runtime/store_visit_trace.c -- what a contact's website hit reads to act
** on workflows and filters: a record's participations, the URLs of its
** hits.
**
** Owns: those reads, on SQLite and PostgreSQL (store.h says each contract).  Does not own:
** appending hits (store_hit.c), grouping visits (store_visit.c), what a
** hit does to the traces (sched_visit.c) or the traces' verbs (store_event.c:
** campStoreVisitChildren).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

int campStoreVisitParticipants(Engine *e, const char *model, int64_t record, StoreParticipation **v, size_t *n) {
  char ign_[160];
  /* the few campaigns over the model, then UNIQUE(campaign, record_id, test)
  ** for each: SQLite's CROSS JOIN keeps camp_campaign outside (left to
  ** itself, its planner would walk that whole index for the ORDER BY);
  ** PostgreSQL's CROSS JOIN takes no ON, and its planner needs no help */
#define PARTICIPATIONS(JOIN) "SELECT pa.id, pa.campaign FROM camp_campaign c " JOIN " camp_participant pa " \
  "ON pa.campaign = c.id AND pa.record_id = ?2 WHERE c.model = ?1 " \
  "AND c.state IN ('running', 'draft') AND pa.state = 'running' ORDER BY c.id, pa.id"
  DbStmt *st = campStoreDbStmt(e, campDbKind(e->conn) == DB_POSTGRES ? PARTICIPATIONS("JOIN") : PARTICIPATIONS("CROSS JOIN"),
                                   ign_, sizeof ign_);
#undef PARTICIPATIONS
  *v = NULL;
  *n = 0;
  if (!st) return -1;
  campDbBindText(st, 1, model, -1);
  campDbBindInt64(st, 2, record);
  size_t cap = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      StoreParticipation *grown = realloc(*v, (cap = cap ? cap * 2 : 8) * sizeof **v);
      if (!grown) { rc = DB_FAIL; break; }
      *v = grown;
    }
    (*v)[*n].participant = campDbColumnInt64(st, 0);
    (*v)[(*n)++].campaign = campDbColumnInt64(st, 1);
  }
  campDbReset(st);
  if (rc == DB_DONE) return 0;
  free(*v);
  *v = NULL;
  *n = 0;
  return -1;
}

int campStoreVisitUrls(Engine *e, const char *model, int64_t record, int64_t since, int64_t until, StoreUrlFn fn, void *ctx) {
  char ign_[160];
  /* camp_hit_record (model, record_id) finds the record's hits */
  DbStmt *st = campStoreDbStmt(e, "SELECT url FROM camp_hit WHERE model = ?1 AND record_id = ?2 AND at >= ?3 AND at <= ?4 "
                                      "AND url IS NOT NULL AND ua_class <> 'bot'",
                                   ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindText(st, 1, model, -1);
  campDbBindInt64(st, 2, record);
  campDbBindInt64(st, 3, since);
  campDbBindInt64(st, 4, until);
  int rc = DB_DONE, stop = 0;
  while (!stop && (rc = campDbStep(st)) == DB_ROW) {
    const char *url = campDbColumnText(st, 0);
    if (campDbColumnType(st, 0) == DB_NULL) { rc = DB_FAIL; break; }
    stop = fn(ctx, url, (size_t)campDbColumnBytes(st, 0));
  }
  campDbReset(st);
  return stop ? stop : rc == DB_DONE ? 0 : -1;
}
