/*
** runtime/store_visit_trace.c -- what a contact's website hit reads to act
** on workflows and filters: the website of a site_id, whether a record
** exists, a record's participations, the URLs of its hits.
**
** Owns: those reads, on SQLite (store.h says each contract).  Does not own:
** appending hits (store_hit.c), grouping visits (store_visit.c), what a
** hit does to the traces (sched_visit.c) or the traces' verbs (store_event.c:
** campStoreVisitChildren).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

static char *columnDup(sqlite3_stmt *st, int col) {
  const char *t = (const char *)sqlite3_column_text(st, col);
  return t ? strdup(t) : NULL;
}

int campStoreVisitSite(Engine *e, const char *siteId, char **model, char **code, char *err, size_t errSize) {
  *model = *code = NULL;
  sqlite3_stmt *st = campStoreStmt(e, "SELECT model, code FROM camp_website WHERE site_id = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, siteId, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *model = columnDup(st, 0);
    *code = columnDup(st, 1);
    if ((sqlite3_column_type(st, 0) != SQLITE_NULL && !*model) || (sqlite3_column_type(st, 1) != SQLITE_NULL && !*code)) {
      free(*model); free(*code);
      *model = *code = NULL;
      snprintf(err, errSize, "out of memory");
      sqlite3_reset(st);
      return -1;
    }
  } else if (rc != SQLITE_DONE) {
    snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int campStoreVisitRecord(Engine *e, const char *model, int64_t id, char *err, size_t errSize) {
  /* a deployed model has rows in camp_model; only then is its name a table to read */
  sqlite3_stmt *st = campStoreStmt(e, "SELECT 1 FROM camp_model WHERE model = ? LIMIT 1", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  int known = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_reset(st);
  if (!known) return 0;
  Buf sql = { 0 };
  campBufPuts(&sql, "SELECT 1 FROM ");
  campStoreIdentPut(&sql, model);
  campBufPuts(&sql, " WHERE id = ?");
  if (sql.oom) { campBufFree(&sql); snprintf(err, errSize, "out of memory"); return -1; }
  st = campStorePrepare(e, sql.p, err, errSize);
  campBufFree(&sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int campStoreVisitParticipants(Engine *e, const char *model, int64_t record, StoreParticipation **v, size_t *n) {
  char ign_[160];
  /* the few campaigns over the model, then UNIQUE(campaign, record_id, test)
  ** for each: CROSS JOIN keeps camp_campaign outside (left to itself, the
  ** planner would walk that whole index for the ORDER BY) */
  sqlite3_stmt *st = campStoreStmt(e, "SELECT pa.id, pa.campaign FROM camp_campaign c CROSS JOIN camp_participant pa "
                                      "ON pa.campaign = c.id AND pa.record_id = ?2 WHERE c.model = ?1 "
                                      "AND c.state IN ('running', 'draft') AND pa.state = 'running' ORDER BY c.id, pa.id",
                                   ign_, sizeof ign_);
  *v = NULL;
  *n = 0;
  if (!st) return -1;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, record);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      StoreParticipation *grown = realloc(*v, (cap = cap ? cap * 2 : 8) * sizeof **v);
      if (!grown) { rc = SQLITE_NOMEM; break; }
      *v = grown;
    }
    (*v)[*n].participant = sqlite3_column_int64(st, 0);
    (*v)[(*n)++].campaign = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  if (rc == SQLITE_DONE) return 0;
  free(*v);
  *v = NULL;
  *n = 0;
  return -1;
}

int campStoreVisitUrls(Engine *e, const char *model, int64_t record, int64_t since, int64_t until, StoreUrlFn fn, void *ctx) {
  char ign_[160];
  /* camp_hit_record (model, record_id) finds the record's hits */
  sqlite3_stmt *st = campStoreStmt(e, "SELECT url FROM camp_hit WHERE model = ?1 AND record_id = ?2 AND at >= ?3 AND at <= ?4 "
                                      "AND url IS NOT NULL AND ua_class <> 'bot'",
                                   ign_, sizeof ign_);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, record);
  sqlite3_bind_int64(st, 3, since);
  sqlite3_bind_int64(st, 4, until);
  int rc = SQLITE_DONE, stop = 0;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *url = (const char *)sqlite3_column_text(st, 0);
    if (!url) { rc = SQLITE_NOMEM; break; }
    stop = fn(ctx, url, (size_t)sqlite3_column_bytes(st, 0));
  }
  sqlite3_reset(st);
  return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}
