/*
** runtime/store_test.c -- what `camp test` reads back from its database:
** the id of a record it just created, a record's latest trace of an
** activity, its participant's state in a campaign and a field's value.
**
** Owns: those point reads.  Does not own: running a test or judging what
** it reads (cli/test_run.c), nor writing records (store_record.c).
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

int64_t campStoreTestLastRecord(Engine *e) { return sqlite3_last_insert_rowid(e->db); }

/* A mailing named as itself (MAILING.MAILING) whose A/B test lowered it to
** variants and a winner has no activity of that name: its trace is then the
** one of those that sent the record a message. */
int campStoreTestTrace(Engine *e, const char *campaign, const char *activity, int64_t record, StoreTestTrace *t,
                       char *err, size_t errSize) {
  memset(t, 0, sizeof *t);
  sqlite3_stmt *st = campStorePrepare(e,
    "SELECT t.id, t.state, t.due, t.done_at, coalesce(t.message_id, ''), coalesce(t.message, '') FROM camp_trace t"
    " JOIN camp_participant p ON p.id = t.participant JOIN camp_campaign c ON c.id = p.campaign"
    " JOIN camp_activity a ON a.id = t.activity"
    " WHERE c.name = ?1 AND p.record_id = ?3 AND p.test = 0 AND (a.name = ?2 OR (?2 = c.name AND NOT EXISTS"
    "   (SELECT 1 FROM camp_activity o WHERE o.campaign = c.id AND o.name = ?2)))"
    " ORDER BY CASE WHEN a.name = ?2 THEN 0 ELSE t.message_id IS NULL END, t.id DESC LIMIT 1", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, activity, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, record);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    t->found = 1;
    t->id = sqlite3_column_int64(st, 0);
    t->state = sqlite3_column_int(st, 1);
    t->due = sqlite3_column_type(st, 2) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 2);
    t->doneAt = sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3);
    snprintf(t->messageId, sizeof t->messageId, "%s", (const char *)sqlite3_column_text(st, 4));
    snprintf(t->note, sizeof t->note, "%s", (const char *)sqlite3_column_text(st, 5));
    rc = SQLITE_DONE;
  }
  return campStoreFinish(e, st, rc, err, errSize);
}

int campStoreTestState(Engine *e, const char *campaign, int64_t record, char *state, size_t size,
                             char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e,
    "SELECT p.state FROM camp_participant p JOIN camp_campaign c ON c.id = p.campaign"
    " WHERE c.name = ?1 AND p.record_id = ?2 AND p.test = 0", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, record);
  int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
  if (found) { snprintf(state, size, "%s", (const char *)sqlite3_column_text(st, 0)); rc = SQLITE_DONE; }
  return campStoreFinish(e, st, rc, err, errSize) < 0 ? -1 : found;
}

int campStoreTestField(Engine *e, const char *model, int64_t record, const char *field, Value *out, char **text,
                       char *err, size_t errSize) {
  *text = NULL;
  *out = (Value){ .tag = VAL_NULL };
  Buf q = { 0 };
  campBufPuts(&q, "SELECT ");
  campStoreIdentPut(&q, field);
  campBufPuts(&q, " FROM ");
  campStoreIdentPut(&q, model);
  campBufPuts(&q, " WHERE id = ?");
  sqlite3_stmt *st = q.oom ? NULL : campStorePrepare(e, q.p, err, errSize);
  if (q.oom) snprintf(err, errSize, "out of memory");
  campBufFree(&q);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, record);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    switch (sqlite3_column_type(st, 0)) {
    case SQLITE_INTEGER: *out = (Value){ .tag = VAL_INT, .u.i = sqlite3_column_int64(st, 0) }; break;
    case SQLITE_FLOAT: *out = (Value){ .tag = VAL_REAL, .u.r = sqlite3_column_double(st, 0) }; break;
    case SQLITE_NULL: break;
    default:
      *text = strdup((const char *)sqlite3_column_text(st, 0));
      if (!*text) { sqlite3_finalize(st); snprintf(err, errSize, "out of memory"); return -1; }
      *out = (Value){ .tag = VAL_TEXT, .len = (uint32_t)strlen(*text), .u.s = *text };
    }
    rc = SQLITE_DONE;
  }
  return campStoreFinish(e, st, rc, err, errSize);
}
