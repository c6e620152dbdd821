/*
** runtime/store_test.c -- what `camp test` reads back from its database:
** the id of a record it just created, a record's latest trace of an
** activity, its participant's state in a campaign, a field's value, its
** address and that address's suppression.
**
** Owns: those point reads.  Does not own: running a test or judging what
** it reads (cli/test_run.c), nor writing records (store_record.c).
**
** camp test's store is always SQLite (a database in memory, or its
** snapshot: cli/test_run.c), so the record it just created is
** sqlite3_last_insert_rowid's, and a model's fields are in camp_model's
** rowid order (the order a fresh deploy inserted them: the model's).
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
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT t.id, t.state, t.due, t.done_at, coalesce(t.message_id, ''), coalesce(t.message, '') FROM camp_trace t"
    " JOIN camp_participant p ON p.id = t.participant JOIN camp_campaign c ON c.id = p.campaign"
    " JOIN camp_activity a ON a.id = t.activity"
    " WHERE c.name = ?1 AND p.record_id = ?3 AND p.test = 0 AND (a.name = ?2 OR (?2 = c.name AND NOT EXISTS"
    "   (SELECT 1 FROM camp_activity o WHERE o.campaign = c.id AND o.name = ?2)))"
    " ORDER BY CASE WHEN a.name = ?2 THEN 0 WHEN t.message_id IS NULL THEN 1 ELSE 0 END, t.id DESC LIMIT 1", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, campaign, -1);
  campDbBindText(st, 2, activity, -1);
  campDbBindInt64(st, 3, record);
  int rc = campDbStep(st);
  if (rc == DB_ROW) {
    t->found = 1;
    t->id = campDbColumnInt64(st, 0);
    t->state = (int)campDbColumnInt64(st, 1);
    t->due = campDbColumnType(st, 2) == DB_NULL ? INT64_MIN : campDbColumnInt64(st, 2);
    t->doneAt = campDbColumnType(st, 3) == DB_NULL ? INT64_MIN : campDbColumnInt64(st, 3);
    snprintf(t->messageId, sizeof t->messageId, "%s", campDbColumnText(st, 4));
    snprintf(t->note, sizeof t->note, "%s", campDbColumnText(st, 5));
    rc = DB_DONE;
  }
  return campDbFinish(st, rc, err, errSize);
}

int campStoreTestState(Engine *e, const char *campaign, int64_t record, char *state, size_t size,
                             char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT p.state FROM camp_participant p JOIN camp_campaign c ON c.id = p.campaign"
    " WHERE c.name = ?1 AND p.record_id = ?2 AND p.test = 0", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, campaign, -1);
  campDbBindInt64(st, 2, record);
  int rc = campDbStep(st), found = rc == DB_ROW;
  if (found) { snprintf(state, size, "%s", campDbColumnText(st, 0)); rc = DB_DONE; }
  return campDbFinish(st, rc, err, errSize) < 0 ? -1 : found;
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
  DbStmt *st = q.oom ? NULL : campDbPrepare(e->conn, q.p, err, errSize);
  if (q.oom) snprintf(err, errSize, "out of memory");
  campBufFree(&q);
  if (!st) return -1;
  campDbBindInt64(st, 1, record);
  int rc = campDbStep(st);
  if (rc == DB_ROW) {
    switch (campDbColumnType(st, 0)) {
    case DB_INTEGER: *out = (Value){ .tag = VAL_INT, .u.i = campDbColumnInt64(st, 0) }; break;
    case DB_FLOAT: *out = (Value){ .tag = VAL_REAL, .u.r = campDbColumnDouble(st, 0) }; break;
    case DB_NULL: break;
    default:
      *text = strdup(campDbColumnText(st, 0));
      if (!*text) { campDbFinalize(st); snprintf(err, errSize, "out of memory"); return -1; }
      *out = (Value){ .tag = VAL_TEXT, .len = (uint32_t)strlen(*text), .u.s = *text };
    }
    rc = DB_DONE;
  }
  return campDbFinish(st, rc, err, errSize);
}

int campStoreTestAddress(Engine *e, const char *model, int64_t record, int sms, char *out, size_t size,
                         char *err, size_t errSize) {
  out[0] = 0;
  DbStmt *st = campDbPrepare(e->conn, "SELECT field FROM camp_model WHERE model = ?1 AND type = ?2 ORDER BY rowid LIMIT 1",
                                      err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, model, -1);
  campDbBindInt64(st, 2, sms ? TYPE_PHONE : TYPE_EMAIL);
  int rc = campDbStep(st);
  char field[256] = "";
  if (rc == DB_ROW) { snprintf(field, sizeof field, "%s", campDbColumnText(st, 0)); rc = DB_DONE; }
  if (campDbFinish(st, rc, err, errSize) < 0) return -1;
  if (!field[0]) return 0;
  Value v;
  char *text;
  if (campStoreTestField(e, model, record, field, &v, &text, err, errSize) < 0) return -1;
  if (text) snprintf(out, size, "%s", text);
  free(text);
  return out[0] != 0;
}

int campStoreTestSuppression(Engine *e, int sms, const char *addr, char *reason, size_t size, int64_t *at,
                             char *err, size_t errSize) {
  reason[0] = 0;
  *at = INT64_MIN;
  char *a = campStoreAddress(sms, addr, strlen(addr));
  if (!a) { snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campDbPrepare(e->conn, "SELECT reason, at FROM camp_suppression WHERE channel = ?1 AND address = ?2",
                                      err, errSize);
  if (st) {
    campDbBindText(st, 1, campStoreChannelName(sms), -1);
    campDbBindText(st, 2, a, -1);
  }
  int rc = st ? campDbStep(st) : DB_FAIL, found = rc == DB_ROW;
  if (found) {
    snprintf(reason, size, "%s", campDbColumnText(st, 0));
    *at = campDbColumnInt64(st, 1);
    rc = DB_DONE;
  }
  free(a);
  if (!st) return -1;
  return campDbFinish(st, rc, err, errSize) < 0 ? -1 : found;
}
