/*
** runtime/store_record.c -- the record-side writes: applied effects.
**
** Owns: the store verbs that apply what actions compute (runtime/actions.h):
** set a field of a record, add or remove a list membership, log a note,
** create a record, queue a webhook in camp_outbox and rewrite its body --
** each inside the caller's transaction, every value bound, identifiers
** only from the image and always quoted; list membership goes through
** store_list.c's verbs (logged there).
** Records changed (set, tags, create) are counted: a filter may now answer
** differently, so the next sync looks again.
** Does not own: what an action means (actions.c), when it runs and which
** verb records its effect (sched_host.c), suppression
** (store_suppress.c: opt_out() uses it), or POSTing webhooks (the
** scheduler, through runtime/chan_http.c, after the commit).
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

static int bindValue(DbStmt *st, int i, const Value *v) {
  switch (v->tag) {
  case VAL_NULL: return campDbBindNull(st, i);
  case VAL_REAL: return campDbBindDouble(st, i, v->u.r);
  case VAL_TEXT: return campDbBindText(st, i, v->u.s, (int)v->len);
  case VAL_LIST: return campDbBindNull(st, i);
  default: return campDbBindInt64(st, i, v->u.i);
  }
}

/* Run cached statement sql with the n values that follow bound in order. */
static int execBound(Engine *e, const char *sql, char *err, size_t errSize, int n, ...) {
  DbStmt *st = campStoreDbStmt(e, sql, err, errSize);
  if (!st) return -1;
  va_list ap;
  va_start(ap, n);
  for (int i = 1; i <= n; i++) bindValue(st, i, va_arg(ap, const Value *));
  va_end(ap);
  int rc = campDbStep(st);
  campDbReset(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  return 0;
}

static Value intValue(int64_t i) { Value v = { .tag = VAL_INT }; v.u.i = i; return v; }
static Value textValue(const char *s) { Value v = { .tag = VAL_TEXT }; v.u.s = s; v.len = (uint32_t)strlen(s); return v; }

/* UPDATE model SET field = value WHERE id = record, through the statement
** cache (the SQL text is built per call, its statement kept). */
int campStoreRecordSet(Engine *e, const char *model, int64_t record, const char *field, const Value *value,
                       char *err, size_t errSize) {
  Buf sql = { 0 };
  campBufPuts(&sql, "UPDATE ");
  campStoreIdentPut(&sql, model);
  campBufPuts(&sql, " SET ");
  campStoreIdentPut(&sql, field);
  campBufPuts(&sql, " = ? WHERE id = ?");
  Value rid = intValue(record);
  int rc = sql.oom ? (snprintf(err, errSize, "out of memory"), -1) : execBound(e, sql.p, err, errSize, 2, value, &rid);
  campBufFree(&sql);
  if (rc == 0) e->recordWrites++;
  return rc;
}

void campStoreRecordPut(Engine *e, const Loaded *l, const char *model, int64_t record, const char *field,
                        const Value *value) {
  const ProgModel *m = &l->p->models[l->p->camps[l->camp].model];
  if (record != e->recordId || strcmp(l->p->str[m->name], model)) return;
  for (uint32_t f = 0; f < m->nfield && f < MAX_FIELDS; f++) {
    if (strcmp(l->p->str[m->fields[f].name], field)) continue;
    Value v = *value;
    if (v.tag == VAL_TEXT) {                 /* value may be this field's own text: copy first */
      char *t = malloc((size_t)v.len + 1);
      if (!t) return;
      memcpy(t, v.u.s, v.len);
      t[v.len] = 0;
      free(e->fieldText[f]);
      e->fieldText[f] = t;
      v.u.s = t;
    }
    e->fields[f] = v;
    return;
  }
}

/* add_to_list() is a manual add (a member again, not removed), logged;
** remove_from_list() ends a manual membership ("leave"), logged too. */
int campStoreRecordList(Engine *e, const char *list, const char *model, int64_t record, int add,
                        char *err, size_t errSize) {
  int rc = campStoreListSet(e, list, model, record, add ? "add" : "leave", campEngineNow(e), "action", err, errSize);
  return rc < 0 ? -1 : 0;
}

int campStoreRecordNote(Engine *e, const char *model, int64_t record, const Value *text, int64_t at,
                        char *err, size_t errSize) {
  Value m = textValue(model), rid = intValue(record), now = intValue(at);
  return execBound(e, "INSERT INTO camp_note(model, record_id, text, at) VALUES(?, ?, ?, ?)", err, errSize, 4,
                   &m, &rid, text, &now);
}

/* INSERT INTO model(fields...) VALUES(values...), prepared for this call
** (the field lists vary too much to keep). */
int campStoreRecordCreate(Engine *e, const char *model, int n, const char *const *fields, const Value *values,
                          char *err, size_t errSize) {
  Buf sql = { 0 };
  campBufPuts(&sql, "INSERT INTO ");
  campStoreIdentPut(&sql, model);
  if (n == 0) campBufPuts(&sql, " DEFAULT VALUES");
  else {
    for (int i = 0; i < n; i++) { campBufPuts(&sql, i ? ", " : "("); campStoreIdentPut(&sql, fields[i]); }
    campBufPuts(&sql, ") VALUES(");
    for (int i = 0; i < n; i++) campBufPuts(&sql, i ? ", ?" : "?");
    campBufPuts(&sql, ")");
  }
  if (sql.oom) { campBufFree(&sql); snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campDbPrepare(e->conn, sql.p, err, errSize);
  campBufFree(&sql);
  if (!st) return -1;
  for (int i = 0; i < n; i++) bindValue(st, i + 1, &values[i]);
  int rc = campDbStep(st);
  campDbFinalize(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  e->recordWrites++;
  return 0;
}

int campStoreRecordWebhook(Engine *e, int64_t trace, int idx, const char *url, size_t urlLen, const char *body,
                           char *err, size_t errSize) {
  Value u = { .tag = VAL_TEXT, .len = (uint32_t)urlLen, .u.s = url };
  Value b = textValue(body), tr = intValue(trace), ix = intValue(idx);
  return execBound(e, "INSERT INTO camp_outbox(trace, idx, url, body) VALUES(?, ?, ?, ?)", err, errSize, 4, &tr, &ix, &u, &b);
}

int campStoreRecordWebhookBodies(Engine *e, int64_t trace, StoreRewriteFn rewrite, void *ctx,
                                 char *err, size_t errSize) {
  DbStmt *q = campDbPrepare(e->conn, "SELECT idx, body FROM camp_outbox WHERE trace = ? ORDER BY idx", err, errSize);
  if (!q) return -1;
  campDbBindInt64(q, 1, trace);
  int rc;
  while ((rc = campDbStep(q)) == DB_ROW) {
    char *text = rewrite(ctx, campDbColumnText(q, 1));
    if (!text) { snprintf(err, errSize, "out of memory"); campDbFinalize(q); return -1; }
    Value tv = textValue(text), tr = intValue(trace), ix = intValue(campDbColumnInt64(q, 0));
    int w = execBound(e, "UPDATE camp_outbox SET body = ? WHERE trace = ? AND idx = ?", err, errSize, 3, &tv, &tr, &ix);
    free(text);
    if (w < 0) { campDbFinalize(q); return -1; }
  }
  campDbFinalize(q);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  return 0;
}

int campStoreListMember(Engine *e, const char *list, const char *model, int64_t record) {
  StoreListRow row;
  int rc = campStoreListRow(e, list, model, record, &row);
  return rc < 0 ? -1 : rc && row.member && !row.removed;
}
