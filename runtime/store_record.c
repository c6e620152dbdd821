/*
** runtime/store_record.c -- the record-side writes: applied effects.
**
** Owns: the store verbs that apply what actions compute (runtime/actions.h):
** set a field of a record, add or remove a list membership, log a note,
** create a record, queue a webhook in camp_outbox and rewrite its body --
** each inside the caller's transaction, every value bound, identifiers
** only from the image and always quoted.  For now also the VM host over
** the store (campStoreHost: list membership, and actions: look up the ACT
** row, compute its effect, apply it here).
** Does not own: what an action means (actions.c), suppression
** (store_suppress.c: opt_out() uses it), or POSTing webhooks (the
** scheduler, through runtime/chan_http.c, after the commit).
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/actions.h"
#include "runtime/store_engine.h"

static int bindValue(sqlite3_stmt *st, int i, const Value *v) {
  switch (v->tag) {
  case VAL_NULL: return sqlite3_bind_null(st, i);
  case VAL_REAL: return sqlite3_bind_double(st, i, v->u.r);
  case VAL_TEXT: return sqlite3_bind_text(st, i, v->u.s, (int)v->len, SQLITE_TRANSIENT);
  case VAL_LIST: return sqlite3_bind_null(st, i);
  default: return sqlite3_bind_int64(st, i, v->u.i);
  }
}

/* Run cached statement sql with the n values that follow bound in order. */
static int execBound(Engine *e, const char *sql, char *err, size_t errSize, int n, ...) {
  sqlite3_stmt *st = campStoreStmt(e, sql, err, errSize);
  if (!st) return -1;
  va_list ap;
  va_start(ap, n);
  for (int i = 1; i <= n; i++) bindValue(st, i, va_arg(ap, const Value *));
  va_end(ap);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
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
  return rc;
}

int campStoreRecordList(Engine *e, const char *list, const char *model, int64_t record, int add,
                        char *err, size_t errSize) {
  Value l = textValue(list), m = textValue(model), rid = intValue(record);
  return execBound(e, add ? "INSERT OR IGNORE INTO camp_list_member(list, model, record_id) VALUES(?, ?, ?)"
                          : "DELETE FROM camp_list_member WHERE list = ? AND model = ? AND record_id = ?",
                   err, errSize, 3, &l, &m, &rid);
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
  sqlite3_stmt *st = campStorePrepare(e, sql.p, err, errSize);
  campBufFree(&sql);
  if (!st) return -1;
  for (int i = 0; i < n; i++) bindValue(st, i + 1, &values[i]);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  return 0;
}

int campStoreRecordWebhook(Engine *e, int64_t trace, int idx, const char *url, size_t urlLen, const char *body,
                           char *err, size_t errSize) {
  Value u = { .tag = VAL_TEXT, .len = (uint32_t)urlLen, .u.s = url };
  Value b = textValue(body), tr = intValue(trace), ix = intValue(idx);
  return execBound(e, "INSERT INTO camp_outbox(trace, idx, url, body) VALUES(?, ?, ?, ?)", err, errSize, 4, &tr, &ix, &u, &b);
}

int campStoreRecordWebhookBodies(Engine *e, int64_t trace, CampWebhookRewrite rewrite, void *ctx,
                                 char *err, size_t errSize) {
  sqlite3_stmt *q = campStorePrepare(e, "SELECT idx, body FROM camp_outbox WHERE trace = ? ORDER BY idx", err, errSize);
  if (!q) return -1;
  sqlite3_bind_int64(q, 1, trace);
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    char *text = rewrite(ctx, (const char *)sqlite3_column_text(q, 1));
    if (!text) { snprintf(err, errSize, "out of memory"); sqlite3_finalize(q); return -1; }
    Value tv = textValue(text), tr = intValue(trace), ix = intValue(sqlite3_column_int64(q, 0));
    int w = execBound(e, "UPDATE camp_outbox SET body = ? WHERE trace = ? AND idx = ?", err, errSize, 3, &tv, &tr, &ix);
    free(text);
    if (w < 0) { sqlite3_finalize(q); return -1; }
  }
  sqlite3_finalize(q);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  return 0;
}

/* -- the VM host over the store ---------------------------------------------- */

/* Apply fx with the store verbs; webhooks queue under the trace whose
** actions run (e->curTrace), numbered in call order. */
static int applyEffect(Engine *e, const Effect *fx, char *err, size_t errSize) {
  switch (fx->kind) {
  case EFFECT_SET: case EFFECT_TAGS:
    return campStoreRecordSet(e, fx->model, fx->record, fx->u.set.field, &fx->u.set.value, err, errSize);
  case EFFECT_OPT_OUT:
    for (int sms = 0; sms < 2; sms++) {
      const Value *a = sms ? &fx->u.optOut.phone : &fx->u.optOut.email;
      if (a->tag == VAL_TEXT && campStoreSuppress(e, sms, a->u.s, a->len, "opt-out", fx->at, err, errSize) < 0) return -1;
    }
    return 0;
  case EFFECT_LIST:
    return campStoreRecordList(e, fx->u.list.list, fx->model, fx->record, fx->u.list.add, err, errSize);
  case EFFECT_NOTE:
    return campStoreRecordNote(e, fx->model, fx->record, &fx->u.note.text, fx->at, err, errSize);
  case EFFECT_CREATE:
    return campStoreRecordCreate(e, fx->model, fx->u.create.n, fx->u.create.fields, fx->u.create.values, err, errSize);
  case EFFECT_WEBHOOK:
    return campStoreRecordWebhook(e, e->curTrace, e->outboxed++, fx->u.webhook.url.u.s, fx->u.webhook.url.len,
                                  fx->u.webhook.values, err, errSize);
  case EFFECT_NONE: break;
  }
  return 0;
}

/* VmHost.action: the ACT row's effect on the record in e->fields, applied. */
static int hostAction(VmHost *h, int native, const Value *args, int argc, char *err, size_t errSize) {
  Engine *e = h->ctx;
  const Loaded *l = e->cur;
  ActionCtx c = { l->p, l->p->camps[l->camp].model, e->fields, e->recordId, l->emailField, l->phoneField,
                  campEngineNow(e) };
  Effect fx;
  int rc = campActionRun(&c, native, args, argc, &fx, err, errSize);
  if (fx.kind == EFFECT_SET || fx.kind == EFFECT_TAGS || fx.kind == EFFECT_CREATE)
    e->recordWrites++;      /* a filter may now answer differently: the next sync looks again */
  if (rc == 0) rc = applyEffect(e, &fx, err, errSize);
  campActionEffectFree(&fx);
  return rc;
}

typedef struct BodyCtx { const Loaded *l; uint32_t act; const Value *fields; } BodyCtx;

static char *finalBody(void *ctx, const char *values) {
  const BodyCtx *b = ctx;
  return campActionWebhookBody(b->l->p, b->l->camp, b->act, b->fields, values);
}

int campStoreOutboxBodies(Engine *e, const Loaded *l, uint32_t act, int64_t trace, char *err, size_t errSize) {
  BodyCtx b = { l, act, e->fields };
  return campStoreRecordWebhookBodies(e, trace, finalBody, &b, err, errSize);
}

static int hostInList(VmHost *h, uint32_t list, int64_t rec) {
  Engine *e = h->ctx;
  const Program *p = e->cur->p;
  sqlite3_stmt *st = NULL;
  if (list >= p->nlist) return 0;
  const ProgList *l = &p->lists[list];
  if (l->filter != CAMP_NONE && l->model == p->camps[e->cur->camp].model) {   /* dynamic list: its filter */
    VmRecord r = { l->model, p->models[l->model].nfield, e->fields };
    char err[200];
    Vm *vm = campVmNew();
    int m = vm ? campVmFilter(vm, p, l->filter, &r, campEngineNow(e), NULL, err, sizeof err) : 0;
    campVmFree(vm);
    return m > 0;
  }
  if (sqlite3_prepare_v2(e->db, "SELECT 1 FROM camp_list_member WHERE list = ? AND model = ? AND record_id = ?", -1, &st, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text(st, 1, p->str[l->name], -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, p->str[p->models[l->model].name], -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, rec);
  int found = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return found;
}

void campStoreHost(Engine *e, VmHost *h) {
  h->ctx = e;
  h->inList = hostInList;
  h->action = hostAction;
}
