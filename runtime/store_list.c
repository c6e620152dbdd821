/*
** runtime/store_list.c -- marketing lists in the store (docs/RUNTIME.md,
** "Lists").
**
** Owns: registering the lists of a deployed image (camp_image, camp_list),
** a record's row on a list (camp_list_member: the manual or snapshot
** membership, the unsubscribe and remove overlays, the contacted count)
** and every change to it, logged in camp_list_log with its time; walking a
** list's records with their rows (for the scheduler's send set and the
** commands), an on-demand list's refresh, finding records by a field.
** Does not own: what membership means (sched_host.c: campSchedListMember
** decides from a row and the filter), when a list is sent to (sched.c),
** or what the commands print (cli/list.c).
*/
#include <stdlib.h>
#include <string.h>
#include "runtime/plan.h"
#include "runtime/store_engine.h"

static const char *kindName(int kind) {
  return kind == LIST_ON_DEMAND ? "on_demand" : kind == LIST_MANUAL ? "manual" : "dynamic";
}

/* -- deploy ------------------------------------------------------------------- */

int campStoreImageKeep(Engine *e, const DeployImage *im, const char *hash, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "INSERT INTO camp_image(hash, image) VALUES(?, ?) ON CONFLICT(hash) DO NOTHING", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, hash, -1);
  campDbBindBlob(st, 2, im->img, (int)im->len);
  int rc = campDbStep(st);
  campDbReset(st);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  return 0;
}

/* One list: added, changed (what changed is named) or unchanged. */
static int deployList(Engine *e, const Program *p, uint32_t li, const char *hash, const Plan *pl, DeployStats *stats,
                      int64_t now, char *err, size_t errSize) {
  const ProgList *l = &p->lists[li];
  const char *name = p->str[l->name], *title = p->str[l->title], *model = p->str[p->models[l->model].name];
  const char *kind = kindName(l->kind);
  const char *where = l->where != CAMP_NONE ? p->str[l->where] : NULL;
  DbStmt *st = campStoreDbStmt(e, "SELECT title, model, kind, keep_contacted, filter FROM camp_list WHERE name = ?", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, name, -1);
  int got = campDbStep(st);
  Buf what = { 0 };
  if (got == DB_ROW) {
    const char *ot = campDbColumnText(st, 0), *om = campDbColumnText(st, 1);
    const char *ok = campDbColumnText(st, 2);
    int keep = (int)campDbColumnInt64(st, 3);
    if (strcmp(ot, title)) campBufPrintf(&what, "%stitle \"%s\" -> \"%s\"", what.n ? ", " : "", ot, title);
    if (strcmp(om, model)) campBufPrintf(&what, "%smodel %s -> %s", what.n ? ", " : "", om, model);
    if (strcmp(ok, kind)) campBufPrintf(&what, "%skind %s -> %s", what.n ? ", " : "", ok, kind);
    if (keep != l->keep) campBufPrintf(&what, "%skeep_contacted %s -> %s", what.n ? ", " : "", keep ? "true" : "false",
                                       l->keep ? "true" : "false");
    const char *ow = campStoreDbTextOrNull(st, 4);
    if ((ow || where) && (!ow || !where || strcmp(ow, where)))
      campBufPrintf(&what, "%swhere %s -> %s", what.n ? ", " : "", ow ? ow : "(none)", where ? where : "(none)");
  }
  campDbReset(st);
  if (got != DB_ROW && got != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  int rc = campStoreDbRun(e, "INSERT INTO camp_list(name, title, model, kind, keep_contacted, image, deployed_at, filter) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(name) DO UPDATE SET title = ?2, model = ?3, kind = ?4, "
                           "keep_contacted = ?5, image = ?6, deployed_at = ?7, filter = ?8",
                        "ttttitit", name, title, model, kind, (int64_t)l->keep, hash, now, where);
  if (rc < 0) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); campBufFree(&what); return -1; }
  if (got == DB_DONE) { campPlanLine(pl, 0, '+', "list %s (%s, model %s)", name, kind, model); stats->add++; }
  else if (what.n) { campPlanLine(pl, 0, '~', "list %s (%s)", name, what.oom ? "?" : what.p); stats->change++; }
  else campPlanLine(pl, 0, 0, "list %s: no changes", name);
  campBufFree(&what);
  return 0;
}

int campStoreDeployLists(Engine *e, const Program *p, const DeployImage *im, const DeployOptions *o, DeployStats *stats,
                         char *err, size_t errSize) {
  if (!p->nlist) return 0;
  char hash[65];
  campProgramHashHex(p, hash);
  if (campStoreImageKeep(e, im, hash, err, errSize) < 0) return -1;
  Plan pl = { o->out, o->color };
  int64_t now = campEngineNow(e);
  for (uint32_t i = 0; i < p->nlist; i++)
    if (deployList(e, p, i, hash, &pl, stats, now, err, errSize) < 0) return -1;
  return 0;
}

/* -- a record's row ------------------------------------------------------------- */

/* The overlay columns of a row, in this order, from col on. */
#define ROW_COLS "lm.record_id IS NOT NULL, coalesce(lm.member, 0), lm.unsubscribed_at IS NOT NULL, " \
                 "lm.removed_at IS NOT NULL, coalesce(lm.contacted, 0), lm.joined_at, lm.last_contacted"
#define ROW_NCOL 7

static int64_t timeOrMin(DbStmt *st, int col) {
  return campDbColumnType(st, col) == DB_NULL ? INT64_MIN : campDbColumnInt64(st, col);
}

static void readRow(DbStmt *st, int col, StoreListRow *row) {
  row->found = (int)campDbColumnInt64(st, col);
  row->member = (int)campDbColumnInt64(st, col + 1);
  row->unsubscribed = (int)campDbColumnInt64(st, col + 2);
  row->removed = (int)campDbColumnInt64(st, col + 3);
  row->contacted = campDbColumnInt64(st, col + 4);
  row->joined = timeOrMin(st, col + 5);
  row->lastContacted = timeOrMin(st, col + 6);
}

int campStoreListRow(Engine *e, const char *list, const char *model, int64_t record, StoreListRow *row) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT " ROW_COLS " FROM camp_list_member lm WHERE lm.list = ? AND lm.model = ? "
                                      "AND lm.record_id = ?", ign_, sizeof ign_);
  memset(row, 0, sizeof *row);
  row->joined = row->lastContacted = INT64_MIN;
  if (!st) return -1;
  campDbBindText(st, 1, list, -1);
  campDbBindText(st, 2, model, -1);
  campDbBindInt64(st, 3, record);
  int rc = campDbStep(st);
  if (rc == DB_ROW) readRow(st, 0, row);
  campDbReset(st);
  return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* The model of the deployed list (malloc'd); NULL with err set. */
static char *listModel(Engine *e, const char *list, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT model FROM camp_list WHERE name = ?", err, errSize);
  if (!st) return NULL;
  campDbBindText(st, 1, list, -1);
  int rc = campDbStep(st);
  char *m = rc == DB_ROW ? strdup(campDbColumnText(st, 0)) : NULL;
  campDbReset(st);
  if (rc == DB_DONE) snprintf(err, errSize, "no list '%s' is deployed", list);
  else if (!m) snprintf(err, errSize, rc == DB_ROW ? "out of memory" : "database: %s", campDbError(e->conn));
  return m;
}

/* A column of the row an upsert updates, named as both SQLite and
** PostgreSQL take it (PostgreSQL's own name would be ambiguous with
** excluded's). */
#define LM "camp_list_member."

/* The statement that applies action to an existing or new row (?1 list, ?2
** model, ?3 record, ?4 at), and whether row already is as action makes it. */
static const char *actionSql(const char *action, const StoreListRow *r, int *already) {
  if (!strcmp(action, "add")) {
    *already = r->member && !r->removed;
    return "INSERT INTO camp_list_member(list, model, record_id, member, joined_at) VALUES(?1, ?2, ?3, 1, ?4) "
           "ON CONFLICT(list, model, record_id) DO UPDATE SET removed_at = NULL, member = 1, "
           "joined_at = CASE WHEN " LM "member = 1 AND " LM "joined_at IS NOT NULL THEN " LM "joined_at ELSE ?4 END";
  }
  if (!strcmp(action, "leave")) {
    *already = !r->member;
    return "UPDATE camp_list_member SET member = 0 WHERE list = ?1 AND model = ?2 AND record_id = ?3 AND CAST(?4 AS BIGINT) IS NOT NULL";
  }
  if (!strcmp(action, "remove")) {
    *already = r->removed;
    return "INSERT INTO camp_list_member(list, model, record_id, member, removed_at) VALUES(?1, ?2, ?3, 0, ?4) "
           "ON CONFLICT(list, model, record_id) DO UPDATE SET removed_at = ?4";
  }
  if (!strcmp(action, "undo-remove")) {
    *already = !r->removed;
    return "UPDATE camp_list_member SET removed_at = NULL WHERE list = ?1 AND model = ?2 AND record_id = ?3 AND CAST(?4 AS BIGINT) IS NOT NULL";
  }
  if (!strcmp(action, "unsubscribe")) {
    *already = r->unsubscribed;
    return "INSERT INTO camp_list_member(list, model, record_id, member, unsubscribed_at) VALUES(?1, ?2, ?3, 0, ?4) "
           "ON CONFLICT(list, model, record_id) DO UPDATE SET unsubscribed_at = ?4";
  }
  if (!strcmp(action, "subscribe")) {
    *already = !r->unsubscribed;
    return "UPDATE camp_list_member SET unsubscribed_at = NULL WHERE list = ?1 AND model = ?2 AND record_id = ?3 AND CAST(?4 AS BIGINT) IS NOT NULL";
  }
  return NULL;
}

int campStoreListSet(Engine *e, const char *list, const char *model, int64_t record, const char *action, int64_t at,
                     const char *detail, char *err, size_t errSize) {
  char *own = model ? NULL : listModel(e, list, err, errSize);
  if (!model && !own) return -1;
  const char *m = model ? model : own;
  StoreListRow row;
  int already = 0, rc = campStoreListRow(e, list, m, record, &row);
  const char *sql = rc < 0 ? NULL : actionSql(action, &row, &already);
  if (rc >= 0 && !sql) { snprintf(err, errSize, "unknown list action '%s'", action); free(own); return -1; }
  if (rc >= 0 && !already) {
    rc = campStoreDbRun(e, sql, "ttii", list, m, record, at);
    if (rc == 0) rc = campStoreDbRun(e, "INSERT INTO camp_list_log(list, record_id, action, at, detail) VALUES(?, ?, ?, ?, ?)",
                                   "titit", list, record, action, at, detail);
  }
  if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  free(own);
  return rc < 0 ? -1 : !already;
}

int campStoreListContacted(Engine *e, const char *list, const char *model, int64_t record, int64_t at) {
  return campStoreDbRun(e, "INSERT INTO camp_list_member(list, model, record_id, member, contacted, last_contacted) "
                         "VALUES(?1, ?2, ?3, 0, 1, ?4) ON CONFLICT(list, model, record_id) DO UPDATE SET "
                         "contacted = " LM "contacted + 1, last_contacted = ?4", "ttii", list, model, record, at);
}

/* -- walking a list's records ------------------------------------------------------ */

/* ", m.f0, m.f1, ..." for model, quoted. */
static void modelCols(Buf *b, const Program *p, uint32_t model) {
  const ProgModel *m = &p->models[model];
  for (uint32_t f = 0; f < m->nfield; f++) { campBufPuts(b, ", m."); campStoreIdentPut(b, p->str[m->fields[f].name]); }
}

/* Step st, each row's record (fields from col on, gone when the column
** before col is non-zero and hasGone) and overlay row (at rowCol) to fn. */
static int walk(Engine *e, DbStmt *st, const Program *p, uint32_t model, int idCol, int rowCol, int col, int hasGone,
                StoreListFn fn, void *ctx, char *err, size_t errSize) {
  int rc, stop = 0;
  while (!stop && (rc = campDbStep(st)) == DB_ROW) {
    int gone = hasGone && (int)campDbColumnInt64(st, col - 1);
    StoreListRow row;
    readRow(st, rowCol, &row);
    if (!gone) campStoreDbRowToModel(e, p, model, st, col);
    VmRecord r = { model, p->models[model].nfield, e->fields };
    stop = fn(ctx, campDbColumnInt64(st, idCol), gone ? NULL : &r, &row);
  }
  if (!stop && rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  return stop ? stop : rc == DB_DONE ? 0 : -1;
}

int campStoreListEach(Engine *e, const Program *p, uint32_t li, ListWalk what, int64_t arg, StoreListFn fn, void *ctx,
                      char *err, size_t errSize) {
  const ProgList *l = &p->lists[li];
  Buf q = { 0 };
  campBufPuts(&q, "SELECT " ROW_COLS);
  modelCols(&q, p, l->model);
  if (l->kind == LIST_DYNAMIC || what == LIST_WALK_ALL || what == LIST_WALK_ONE) {
    campBufPuts(&q, " FROM ");
    campStoreIdentPut(&q, p->str[p->models[l->model].name]);
    campBufPuts(&q, " m LEFT JOIN camp_list_member lm ON lm.list = ?1 AND lm.model = ?2 AND lm.record_id = m.id WHERE true");
  } else {
    /* rows first: a manual list of a big model reads its rows only */
    campBufPuts(&q, " FROM camp_list_member lm JOIN ");
    campStoreIdentPut(&q, p->str[p->models[l->model].name]);
    campBufPuts(&q, " m ON m.id = lm.record_id WHERE lm.list = ?1 AND lm.model = ?2");
  }
  if (what == LIST_WALK_NEWCOMERS)
    campBufPuts(&q, " AND NOT EXISTS (SELECT 1 FROM camp_participant pa WHERE pa.campaign = ?3 AND pa.record_id = m.id AND pa.test = 0)");
  if (what == LIST_WALK_ONE) campBufPuts(&q, " AND m.id = ?3");
  campBufPuts(&q, " ORDER BY m.id");
  if (q.oom) { campBufFree(&q); snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campDbPrepare(e->conn, q.p, err, errSize);
  campBufFree(&q);
  if (!st) return -1;
  campDbBindText(st, 1, p->str[l->name], -1);
  campDbBindText(st, 2, p->str[p->models[l->model].name], -1);
  if (what == LIST_WALK_NEWCOMERS || what == LIST_WALK_ONE) campDbBindInt64(st, 3, arg);
  return walk(e, st, p, l->model, ROW_NCOL, 0, ROW_NCOL, 0, fn, ctx, err, errSize);
}

int campStoreListParticipants(Engine *e, const Loaded *l, StoreListFn fn, void *ctx, char *err, size_t errSize) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  const ProgList *li = &p->lists[c->list];
  Buf q = { 0 };
  campBufPuts(&q, "SELECT pa.id, " ROW_COLS ", m.id IS NULL");
  modelCols(&q, p, li->model);
  campBufPuts(&q, " FROM camp_participant pa LEFT JOIN ");
  campStoreIdentPut(&q, p->str[p->models[li->model].name]);
  campBufPuts(&q, " m ON m.id = pa.record_id LEFT JOIN camp_list_member lm ON lm.list = ?1 AND lm.model = ?2 "
                  "AND lm.record_id = pa.record_id WHERE pa.campaign = ?3 AND pa.state = 'running' AND pa.test = 0");
  if (q.oom) { campBufFree(&q); snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campDbPrepare(e->conn, q.p, err, errSize);
  campBufFree(&q);
  if (!st) return -1;
  campDbBindText(st, 1, p->str[li->name], -1);
  campDbBindText(st, 2, p->str[p->models[li->model].name], -1);
  campDbBindInt64(st, 3, l->campaign);
  return walk(e, st, p, li->model, 0, 1, 2 + ROW_NCOL, 1, fn, ctx, err, errSize);
}

/* -- the deployed lists ---------------------------------------------------------------- */

Program *campStoreImageProgram(Engine *e, const char *sql, const char *name, const char *what, const char *shows,
                               char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, sql, err, errSize);
  if (!st) return NULL;
  campDbBindText(st, 1, name, -1);
  int rc = campDbStep(st);
  Program *p = rc == DB_ROW ? campProgramLoad(campDbColumnBlob(st, 0), (size_t)campDbColumnBytes(st, 0), err, errSize)
                                : NULL;
  campDbReset(st);
  if (rc == DB_DONE) snprintf(err, errSize, "no %s '%s' is deployed (%s shows those that are)", what, name, shows);
  else if (rc != DB_ROW) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return p;
}

Program *campStoreListProgram(Engine *e, const char *name, uint32_t *li, char *err, size_t errSize) {
  Program *p = campStoreImageProgram(e, "SELECT i.image FROM camp_list l JOIN camp_image i ON i.hash = l.image WHERE l.name = ?",
                                     name, "list", "camp lists", err, errSize);
  if (!p) return NULL;
  for (*li = 0; *li < p->nlist; (*li)++) if (!strcmp(p->str[p->lists[*li].name], name)) return p;
  snprintf(err, errSize, "the image of list '%s' lacks it", name);
  campProgramFree(p);
  return NULL;
}

int campStoreListNames(Engine *e, char ***names, size_t *n, char *err, size_t errSize) {
  return campStoreColumnTexts(e, "SELECT name FROM camp_list ORDER BY name", names, n, err, errSize);
}

int campStoreColumnTexts(Engine *e, const char *sql, char ***names, size_t *n, char *err, size_t errSize) {
  *names = NULL;
  *n = 0;
  DbStmt *st = campDbPrepare(e->conn, sql, err, errSize);
  if (!st) return -1;
  size_t cap = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      char **v = realloc(*names, cap * sizeof *v);
      if (!v) break;
      *names = v;
    }
    if (!((*names)[*n] = strdup(campDbColumnText(st, 0)))) break;
    (*n)++;
  }
  if (rc == DB_ROW) snprintf(err, errSize, "out of memory");
  else if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  return rc == DB_DONE ? 0 : -1;
}

int64_t campStoreListRefreshed(Engine *e, const char *list) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT refreshed_at FROM camp_list WHERE name = ?", ign_, sizeof ign_);
  if (!st) return INT64_MIN;
  campDbBindText(st, 1, list, -1);
  int64_t t = campDbStep(st) == DB_ROW ? timeOrMin(st, 0) : INT64_MIN;
  campDbReset(st);
  return t;
}

/* -- refresh, find, log ------------------------------------------------------------------- */

/* A count from sql with ?1 list, ?2 model, ?3 keep; -1 error. */
static long countOf(Engine *e, const char *sql, const char *list, const char *model, int keep) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, sql, ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindText(st, 1, list, -1);
  campDbBindText(st, 2, model, -1);
  campDbBindInt64(st, 3, keep);
  long n = campDbStep(st) == DB_ROW ? (long)campDbColumnInt64(st, 0) : -1;
  campDbReset(st);
  return n;
}

int campStoreListRefresh(Engine *e, const char *list, const char *model, const int64_t *ids, size_t n, int keep,
                         int64_t at, long *joined, long *left, long *kept, char *err, size_t errSize) {
  /* a record id is a SQLite rowid, a PostgreSQL BIGINT */
  if (campDbExec(e->conn, campDbKind(e->conn) == DB_POSTGRES ? "CREATE TEMP TABLE IF NOT EXISTS camp_refresh(id BIGINT PRIMARY KEY); DELETE FROM camp_refresh"
                                     : "CREATE TEMP TABLE IF NOT EXISTS camp_refresh(id INTEGER PRIMARY KEY); DELETE FROM camp_refresh",
                 err, errSize) < 0) return -1;
  for (size_t i = 0; i < n; i++)
    if (campStoreDbRun(e, "INSERT INTO camp_refresh(id) VALUES(?) ON CONFLICT(id) DO NOTHING", "i", ids[i]) < 0) goto fail;
  *joined = countOf(e, "SELECT count(*) FROM camp_refresh r LEFT JOIN camp_list_member lm ON lm.list = ?1 AND lm.model = ?2 "
                       "AND lm.record_id = r.id WHERE NOT coalesce(lm.member = 1 OR (?3 <> 0 AND lm.contacted > 0), FALSE)",
                    list, model, keep);
  *kept = countOf(e, "SELECT count(*) FROM camp_list_member WHERE list = ?1 AND model = ?2 AND member = 1 AND ?3 <> 0 "
                     "AND contacted > 0 AND record_id NOT IN (SELECT id FROM camp_refresh)", list, model, keep);
  *left = countOf(e, "SELECT count(*) FROM camp_list_member WHERE list = ?1 AND model = ?2 AND member = 1 "
                     "AND NOT (?3 <> 0 AND contacted > 0) AND record_id NOT IN (SELECT id FROM camp_refresh)", list, model, keep);
  if (*joined < 0 || *kept < 0 || *left < 0) goto fail;
  if (campStoreDbRun(e, "UPDATE camp_list_member SET member = 0 WHERE list = ?1 AND model = ?2 AND member = 1 "
                      "AND record_id NOT IN (SELECT id FROM camp_refresh)", "tt", list, model) < 0 ||
      campStoreDbRun(e, "INSERT INTO camp_list_member(list, model, record_id, member, joined_at) "
                      "SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), id, 1, CAST(?3 AS BIGINT) FROM camp_refresh WHERE true "
                      "ON CONFLICT(list, model, record_id) DO UPDATE SET member = 1, joined_at = CASE WHEN " LM "member = 1 "
                      "OR (?4 <> 0 AND " LM "contacted > 0) THEN coalesce(" LM "joined_at, ?3) ELSE ?3 END",
                   "ttii", list, model, at, (int64_t)keep) < 0 ||
      campStoreDbRun(e, "UPDATE camp_list SET refreshed_at = ? WHERE name = ?", "it", at, list) < 0)
    goto fail;
  char detail[128];
  snprintf(detail, sizeof detail, "%ld joined, %ld left, %ld kept (contacted)", *joined, *left, *kept);
  if (campStoreDbRun(e, "INSERT INTO camp_list_log(list, record_id, action, at, detail) VALUES(?, NULL, 'refresh', ?, ?)",
                   "tit", list, at, detail) < 0) goto fail;
  return campDbExec(e->conn, "DELETE FROM camp_refresh", err, errSize);
fail:
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}

int campStoreListFind(Engine *e, const char *model, const char *field, const char *value, int64_t **ids, size_t *n,
                      char *err, size_t errSize) {
  Buf q = { 0 };
  campBufPuts(&q, "SELECT id FROM ");
  campStoreIdentPut(&q, model);
  campBufPuts(&q, " WHERE CAST(");
  campStoreIdentPut(&q, field);
  campBufPuts(&q, " AS TEXT) = ?1 OR lower(CAST(");
  campStoreIdentPut(&q, field);
  campBufPuts(&q, " AS TEXT)) = lower(?1) ORDER BY id");
  *ids = NULL;
  *n = 0;
  if (q.oom) { campBufFree(&q); snprintf(err, errSize, "out of memory"); return -1; }
  DbStmt *st = campStoreDbStmt(e, q.p, err, errSize);
  campBufFree(&q);
  if (!st) { snprintf(err, errSize, "model '%s' has no field '%s'", model, field); return -1; }
  campDbBindText(st, 1, value, -1);
  size_t cap = 0;
  int rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 4;
      int64_t *v = realloc(*ids, cap * sizeof *v);
      if (!v) break;
      *ids = v;
    }
    (*ids)[(*n)++] = campDbColumnInt64(st, 0);
  }
  if (rc == DB_ROW) snprintf(err, errSize, "out of memory");
  else if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return rc == DB_DONE ? 0 : -1;
}

int campStoreListLog(Engine *e, const char *list, StoreListLogFn fn, void *ctx, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT coalesce(record_id, 0), action, at, detail FROM camp_list_log "
                                         "WHERE list = ? ORDER BY at, id", err, errSize);
  if (!st) return -1;
  campDbBindText(st, 1, list, -1);
  int rc, stop = 0;
  while (!stop && (rc = campDbStep(st)) == DB_ROW)
    stop = fn(ctx, campDbColumnInt64(st, 0), campDbColumnText(st, 1), campDbColumnInt64(st, 2),
              campStoreDbTextOrNull(st, 3));
  if (!stop && rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(st);
  return stop ? stop : rc == DB_DONE ? 0 : -1;
}
