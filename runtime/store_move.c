/*
** runtime/store_move.c -- camp migrate: a whole camp database copied into a
** new one, SQLite or PostgreSQL either way, and checked table by table.
**
** Owns: refusing a source that is not a camp database and a target that is
** not new; making the target (a SQLite file as camp init makes it, built
** under a temporary name beside the target and renamed once committed; on
** PostgreSQL the store's schema, made inside the copy's transaction); the
** model tables, made from camp_model with deploy's column types; copying
** every camp_* table and every model table by column name, read from one
** snapshot of the source in pages by primary key and written in ONE
** transaction on the target (a failure anywhere leaves nothing behind);
** PostgreSQL's identity sequences set past the copied ids; and, before the
** commit, each table's count and the sum and max of an integer column
** compared between the two sides.
**
** What is not copied as it is: camp_runner's rows (the runners of the
** source run nowhere near the copy) and so the owner of a claimed send (on
** the copy it is an interrupted send, taken over with its Message-ID);
** camp_meta's 'schema' (PostgreSQL's schema version: the target's own);
** on SQLite the clock is an integer, as campStoreSetClock compares it; a
** text PostgreSQL refuses (not UTF-8, or holding a NUL) has each bad byte
** replaced by '?', and the summary counts them.
**
** Speaks SQL only through runtime/db.h.  Does not own: the schema
** (store_engine.c's migrations, store_schema_pg.c), a model column's type
** (store_deploy.c), the command line (cli/migrate.c).
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "runtime/store_engine.h"

#define PAGE 5000               /* source rows one query reads */
#define BATCH_VALUES 960        /* values one INSERT binds: its rows are BATCH_VALUES / columns */
#define BATCH_ROWS 200          /* and at most this many */

typedef struct Column {
  char *name;
  int integer;                  /* an integer column on the source */
  int key;                      /* its place in the primary key from 1; 0: not in it */
} Column;

typedef struct Table {
  char *name;
  int model;                    /* a model's records (made on the target from camp_model) */
  Column *col;
  int ncol;
  char *tallySql;               /* count(*), sum and max of an integer column, the same on both sides */
  int64_t tally[3];             /* the source's */
  int64_t rows;                 /* rows copied */
} Table;

typedef struct Move {
  Db *src, *dst;
  Table *t;
  int nt;
  MoveStats *stats;
  char *err;
  size_t errSize;
} Move;

/* -- small helpers -------------------------------------------------------- */

/* -1, with "cannot WHAT NAME on DB: its error" in m->err. */
static int dbFail(Move *m, Db *db, const char *what, const char *name) {
  snprintf(m->err, m->errSize, "cannot %s%s%s%s on %s: %s", what, name ? " '" : "", name ? name : "", name ? "'" : "",
           campDbName(db), campDbError(db));
  return -1;
}

static int oom(Move *m) { snprintf(m->err, m->errSize, "out of memory"); return -1; }

static int isPg(Db *db) { return campDbKind(db) == DB_POSTGRES; }

/* The first column of every row of sql (arg bound to its '?' when not
** NULL), as texts (*out malloc'd, each text too).  0, or -1 with the error. */
static int texts(Move *m, Db *db, const char *sql, const char *arg, char ***out, int *n) {
  *out = NULL;
  *n = 0;
  DbStmt *st = campDbPrepare(db, sql, NULL, 0);
  if (!st) return dbFail(m, db, "read", "the list of tables");
  if (arg) campDbBindText(st, 1, arg, -1);
  int rc, cap = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (*n == cap) {
      char **v = realloc(*out, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *v);
      if (!v) { campDbFinalize(st); return oom(m); }
      *out = v;
    }
    if (!((*out)[*n] = strdup(campDbColumnText(st, 0)))) { campDbFinalize(st); return oom(m); }
    (*n)++;
  }
  campDbFinalize(st);
  return rc == DB_DONE ? 0 : dbFail(m, db, "read", "the list of tables");
}

static void textsFree(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* The camp_* tables of db, by name. */
static int campTables(Move *m, Db *db, char ***out, int *n) {
  return texts(m, db, isPg(db)
    ? "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() "
      "AND table_type = 'BASE TABLE' AND table_name LIKE 'camp\\_%' ESCAPE '\\' ORDER BY 1"
    : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'camp\\_%' ESCAPE '\\' ORDER BY name",
    NULL, out, n);
}

static int hasName(char **v, int n, const char *name) {
  for (int i = 0; i < n; i++) if (!strcmp(v[i], name)) return 1;
  return 0;
}

/* The schema version of db: SQLite's user_version, PostgreSQL's camp_meta
** 'schema' (0 when it has none). */
static int64_t schemaVersion(Db *db) {
  DbStmt *st = campDbPrepare(db, isPg(db) ? "SELECT CAST(value AS BIGINT) FROM camp_meta WHERE key = 'schema'"
                                          : "PRAGMA user_version", NULL, 0);
  int64_t v = st && campDbStep(st) == DB_ROW ? campDbColumnInt64(st, 0) : 0;
  campDbFinalize(st);
  return v;
}

static double seconds(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* -- the tables and their columns -------------------------------------- */

/* t's columns on the source, in their order, with the integer ones and
** the primary key marked. */
static int readColumns(Move *m, Table *t) {
  Buf q = { 0 };
  if (isPg(m->src)) campStoreIdentPut(&q, t->name);       /* a regclass names the table as SQL spells it */
  if (q.oom) return oom(m);
  DbStmt *st = campDbPrepare(m->src, isPg(m->src)
    ? "SELECT CAST(a.attname AS TEXT), CASE WHEN a.atttypid IN (20, 21, 23) THEN 1 ELSE 0 END, "
      "CAST(coalesce(array_position(CAST(i.indkey AS SMALLINT[]), a.attnum), 0) AS BIGINT) "
      "FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
      "WHERE a.attrelid = to_regclass(CAST(? AS TEXT)) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
    : "SELECT name, CASE WHEN upper(type) LIKE '%INT%' THEN 1 ELSE 0 END, pk FROM pragma_table_info(?) ORDER BY cid",
    NULL, 0);
  if (!st) { campBufFree(&q); return dbFail(m, m->src, "read the columns of", t->name); }
  campDbBindText(st, 1, isPg(m->src) ? q.p : t->name, -1);
  int rc, cap = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (t->ncol == cap) {
      Column *v = realloc(t->col, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *v);
      if (!v) { campDbFinalize(st); campBufFree(&q); return oom(m); }
      t->col = v;
    }
    Column *c = &t->col[t->ncol];
    if (!(c->name = strdup(campDbColumnText(st, 0)))) { campDbFinalize(st); campBufFree(&q); return oom(m); }
    c->integer = (int)campDbColumnInt64(st, 1);
    c->key = (int)campDbColumnInt64(st, 2);
    t->ncol++;
  }
  campDbFinalize(st);
  campBufFree(&q);
  if (rc != DB_DONE) return dbFail(m, m->src, "read the columns of", t->name);
  if (!t->ncol) { snprintf(m->err, m->errSize, "%s has no table '%s' (camp_model lists it)", campDbName(m->src), t->name); return -1; }
  return 0;
}

/* Add a table named name to the list. */
static int addTable(Move *m, const char *name, int model) {
  Table *v = realloc(m->t, (size_t)(m->nt + 1) * sizeof *v);
  if (!v) return oom(m);
  m->t = v;
  memset(&v[m->nt], 0, sizeof *v);
  if (!(v[m->nt].name = strdup(name))) return oom(m);
  v[m->nt++].model = model;
  return readColumns(m, &v[m->nt - 1]);
}

/* Every table to copy: the source's camp_* tables (camp_runner's rows
** excepted) and the tables of the models camp_model lists. */
static int listTables(Move *m, char **camp, int ncamp) {
  for (int i = 0; i < ncamp; i++)
    if (strcmp(camp[i], "camp_runner") && addTable(m, camp[i], 0) < 0) return -1;
  char **models;
  int nmodel;
  if (texts(m, m->src, "SELECT DISTINCT model FROM camp_model ORDER BY model", NULL, &models, &nmodel) < 0) return -1;
  int rc = 0;
  for (int i = 0; i < nmodel && rc == 0; i++) rc = addTable(m, models[i], 1);
  textsFree(models, nmodel);
  return rc;
}

/* Make model table t on the target: its columns in the source's order,
** each with the type camp_model gives its field (store_deploy.c spells it). */
static int makeModelTable(Move *m, const Table *t) {
  DbStmt *st = campDbPrepare(m->src, "SELECT type FROM camp_model WHERE model = ? AND field = ?", NULL, 0);
  if (!st) return dbFail(m, m->src, "read camp_model for", t->name);
  Buf sql = { 0 };
  campBufPuts(&sql, "CREATE TABLE ");
  campStoreIdentPut(&sql, t->name);
  int rc = 0;
  for (int c = 0; c < t->ncol && rc == 0; c++) {
    campBufPuts(&sql, c ? ", " : "(");
    if (!strcmp(t->col[c].name, "id")) { campStoreModelColumnPut(&sql, campDbKind(m->dst), NULL, 0); continue; }
    campDbReset(st);
    campDbBindText(st, 1, t->name, -1);
    campDbBindText(st, 2, t->col[c].name, -1);
    int step = campDbStep(st);
    if (step == DB_ROW) campStoreModelColumnPut(&sql, campDbKind(m->dst), t->col[c].name, (int)campDbColumnInt64(st, 0));
    else if (step == DB_DONE) {
      snprintf(m->err, m->errSize, "%s: model table '%s' has a column '%s' that camp_model does not list",
               campDbName(m->src), t->name, t->col[c].name);
      rc = -1;
    } else rc = dbFail(m, m->src, "read camp_model for", t->name);
  }
  campDbFinalize(st);
  campBufPuts(&sql, ")");
  if (rc == 0 && sql.oom) rc = oom(m);
  if (rc == 0 && campDbExec(m->dst, sql.p, NULL, 0) < 0) rc = dbFail(m, m->dst, "create the model table", t->name);
  campBufFree(&sql);
  return rc;
}

/* -- copying one table ---------------------------------------------------- */

/* Is column c of t copied as NULL?  A claim's owner is: no runner of the
** source runs on the copy. */
static int notCopied(const Table *t, int c) { return !strcmp(t->name, "camp_trace") && !strcmp(t->col[c].name, "owner"); }

/* The rows of t that are copied: all but PostgreSQL's schema version. */
static const char *filterOf(const Table *t) { return !strcmp(t->name, "camp_meta") ? "key <> 'schema'" : NULL; }

/* The tally query of t: count(*), and the sum and max of its id (else its
** first integer column; else 0, 0). */
static int tallySql(Move *m, Table *t) {
  int k = -1;
  for (int c = 0; c < t->ncol; c++) if (t->col[c].integer && !notCopied(t, c) && (k < 0 || !strcmp(t->col[c].name, "id"))) k = c;
  Buf b = { 0 };
  campBufPuts(&b, "SELECT count(*), ");
  if (k < 0) campBufPuts(&b, "0, 0");
  else {
    Buf id = { 0 };
    campStoreIdentPut(&id, t->col[k].name);
    campBufPrintf(&b, "CAST(coalesce(sum(%s), 0) AS BIGINT), CAST(coalesce(max(%s), 0) AS BIGINT)", id.p ? id.p : "", id.p ? id.p : "");
    if (id.oom) b.oom = 1;
    campBufFree(&id);
  }
  campBufPuts(&b, " FROM ");
  campStoreIdentPut(&b, t->name);
  if (filterOf(t)) campBufPrintf(&b, " WHERE %s", filterOf(t));
  if (b.oom) { campBufFree(&b); return oom(m); }
  t->tallySql = b.p;
  return 0;
}

/* Run t's tally on db into out. */
static int tally(Move *m, Db *db, const Table *t, int64_t out[3]) {
  DbStmt *st = campDbPrepare(db, t->tallySql, NULL, 0);
  int rc = st ? campDbStep(st) : DB_FAIL;
  if (rc == DB_ROW) for (int i = 0; i < 3; i++) out[i] = campDbColumnInt64(st, i);
  campDbFinalize(st);
  return rc == DB_ROW ? 0 : dbFail(m, db, "count the rows of", t->name);
}

/* SELECT columns FROM t [WHERE filter [AND (key) > (?...)]] ORDER BY key
** LIMIT PAGE (after: the next page's); without a key, every row at once. */
static char *selectSql(const Table *t, int after) {
  Buf b = { 0 }, key = { 0 }, marks = { 0 };
  campBufPuts(&b, "SELECT ");
  for (int c = 0; c < t->ncol; c++) {
    if (c) campBufPuts(&b, ", ");
    if (notCopied(t, c)) campBufPuts(&b, "NULL");
    else campStoreIdentPut(&b, t->col[c].name);
  }
  for (int k = 1; k <= t->ncol; k++)
    for (int c = 0; c < t->ncol; c++)
      if (t->col[c].key == k) {
        if (key.n) { campBufPuts(&key, ", "); campBufPuts(&marks, ", "); }
        campStoreIdentPut(&key, t->col[c].name);
        campBufPuts(&marks, "?");
      }
  campBufPuts(&b, " FROM ");
  campStoreIdentPut(&b, t->name);
  const char *filter = filterOf(t);
  if (filter || after) campBufPuts(&b, " WHERE ");
  if (filter) campBufPuts(&b, filter);
  if (filter && after) campBufPuts(&b, " AND ");
  if (after) campBufPrintf(&b, "(%s) > (%s)", key.p, marks.p);
  if (key.n) campBufPrintf(&b, " ORDER BY %s LIMIT %d", key.p, PAGE);
  int bad = b.oom || key.oom || marks.oom;
  campBufFree(&key);
  campBufFree(&marks);
  if (bad) { campBufFree(&b); return NULL; }
  return b.p;
}

/* INSERT INTO t(columns) VALUES (?...) times rows, on the target. */
static DbStmt *insertStmt(Move *m, const Table *t, int rows) {
  Buf b = { 0 };
  campBufPuts(&b, "INSERT INTO ");
  campStoreIdentPut(&b, t->name);
  for (int c = 0; c < t->ncol; c++) {
    campBufPuts(&b, c ? ", " : "(");
    campStoreIdentPut(&b, t->col[c].name);
  }
  campBufPuts(&b, ") VALUES ");
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < t->ncol; c++) campBufPuts(&b, c ? ", ?" : r ? "), (?" : "(?");
  campBufPuts(&b, ")");
  if (b.oom) { campBufFree(&b); oom(m); return NULL; }
  DbStmt *st = campDbPrepare(m->dst, b.p, NULL, 0);
  campBufFree(&b);
  if (!st) dbFail(m, m->dst, "write table", t->name);
  return st;
}

/* Bind text s of len bytes as parameter p of w: for PostgreSQL, each byte
** that is not well-formed UTF-8, and each NUL, as '?' (counted). */
static int bindText(Move *m, DbStmt *w, int p, const char *s, int len) {
  if (!isPg(m->dst) || isPg(m->src) || (strlen(s) == (size_t)len && campStoreUtf8Bad(s) < 0))
    return campDbBindText(w, p, s, len);
  char *fixed = malloc((size_t)len + 1);
  if (!fixed) return -1;
  memcpy(fixed, s, (size_t)len);
  fixed[len] = 0;
  for (char *z; (z = memchr(fixed, 0, (size_t)len)); ) *z = '?';
  for (long at = 0, bad; (bad = campStoreUtf8Bad(fixed + at)) >= 0; at += bad + 1) fixed[at + bad] = '?';
  m->stats->repaired++;
  int rc = campDbBindText(w, p, fixed, len);
  free(fixed);
  return rc;
}

/* Bind the row q is on as the values from parameter base + 1 of w. */
static int bindRow(Move *m, const Table *t, DbStmt *q, DbStmt *w, int base, int clockRow) {
  int rc = 0;
  for (int c = 0; c < t->ncol && rc == 0; c++) {
    int p = base + c + 1;
    switch (campDbColumnType(q, c)) {
    case DB_INTEGER: rc = campDbBindInt64(w, p, campDbColumnInt64(q, c)); break;
    case DB_FLOAT: rc = campDbBindDouble(w, p, campDbColumnDouble(q, c)); break;
    case DB_NULL: rc = campDbBindNull(w, p); break;
    case DB_BLOB: {
      const void *blob = campDbColumnBlob(q, c);
      rc = campDbBindBlob(w, p, blob ? blob : "", campDbColumnBytes(q, c));
      break;
    }
    case DB_TEXT:
      if (clockRow && !strcmp(t->col[c].name, "value")) rc = campDbBindInt64(w, p, strtoll(campDbColumnText(q, c), NULL, 10));
      else rc = bindText(m, w, p, campDbColumnText(q, c), campDbColumnBytes(q, c));
      break;
    }
  }
  return rc < 0 ? oom(m) : 0;
}

/* A primary key's values of the last row of a page, kept to start the next. */
typedef struct KeyValue { DbType type; int64_t i; double d; char *s; int len; } KeyValue;

static int keepKey(const Table *t, DbStmt *q, KeyValue *kv) {
  int n = 0;
  for (int k = 1; k <= t->ncol; k++)
    for (int c = 0; c < t->ncol; c++) {
      if (t->col[c].key != k) continue;
      KeyValue *v = &kv[n++];
      free(v->s);
      v->s = NULL;
      v->type = campDbColumnType(q, c);
      if (v->type == DB_INTEGER) v->i = campDbColumnInt64(q, c);
      else if (v->type == DB_FLOAT) v->d = campDbColumnDouble(q, c);
      else if (v->type != DB_NULL) {
        v->len = campDbColumnBytes(q, c);
        const void *p = v->type == DB_BLOB ? campDbColumnBlob(q, c) : (const void *)campDbColumnText(q, c);
        if (!(v->s = malloc((size_t)v->len + 1))) return -1;
        if (v->len) memcpy(v->s, p, (size_t)v->len);
        v->s[v->len] = 0;
      }
    }
  return 0;
}

static void bindKey(DbStmt *st, const KeyValue *kv, int n) {
  for (int i = 0; i < n; i++) {
    const KeyValue *v = &kv[i];
    if (v->type == DB_INTEGER) campDbBindInt64(st, i + 1, v->i);
    else if (v->type == DB_FLOAT) campDbBindDouble(st, i + 1, v->d);
    else if (v->type == DB_TEXT) campDbBindText(st, i + 1, v->s, v->len);
    else if (v->type == DB_BLOB) campDbBindBlob(st, i + 1, v->s, v->len);
    else campDbBindNull(st, i + 1);
  }
}

/* Copy t's rows: the source's tally first (its count sizes the INSERTs:
** full batches of rows, then one of the rest), then page after page in key
** order, each row bound into the batch being filled. */
static int copyTable(Move *m, Table *t) {
  if (tallySql(m, t) < 0 || tally(m, m->src, t, t->tally) < 0) return -1;
  int nkey = 0, clockKey = -1;
  for (int c = 0; c < t->ncol; c++) {
    if (t->col[c].key) nkey++;
    if (!isPg(m->dst) && !strcmp(t->name, "camp_meta") && !strcmp(t->col[c].name, "key")) clockKey = c;
  }
  int64_t n = t->tally[0];
  int per = BATCH_VALUES / t->ncol;
  per = per < 1 ? 1 : per > BATCH_ROWS ? BATCH_ROWS : per;
  if (n < per) per = (int)n;
  int64_t full = per ? n / per * per : 0;
  int rest = (int)(n - full);
  char *firstSql = selectSql(t, 0), *nextSql = nkey ? selectSql(t, 1) : NULL;
  DbStmt *first = NULL, *next = NULL, *batch = NULL, *tail = NULL;
  KeyValue *kv = calloc((size_t)nkey + 1, sizeof *kv);
  int rc = !firstSql || (nkey && !nextSql) || !kv ? oom(m) : 0;
  if (rc == 0 && !(first = campDbPrepare(m->src, firstSql, NULL, 0))) rc = dbFail(m, m->src, "read table", t->name);
  if (rc == 0 && nkey && !(next = campDbPrepare(m->src, nextSql, NULL, 0))) rc = dbFail(m, m->src, "read table", t->name);
  if (rc == 0 && per && !(batch = insertStmt(m, t, per))) rc = -1;
  if (rc == 0 && rest && !(tail = insertStmt(m, t, rest))) rc = -1;
  int64_t done = 0;
  for (DbStmt *q = first; rc == 0 && q;) {
    int step, inPage = 0;
    while (rc == 0 && (step = campDbStep(q)) == DB_ROW) {
      if (done == n) { snprintf(m->err, m->errSize, "table '%s' changed while it was read", t->name); rc = -1; break; }
      DbStmt *w = done < full ? batch : tail;
      int row = (int)(done < full ? done % per : done - full);
      int clockRow = clockKey >= 0 && !strcmp(campDbColumnText(q, clockKey), "clock");
      rc = bindRow(m, t, q, w, row * t->ncol, clockRow);
      done++;
      if (rc == 0 && (++inPage == PAGE && nkey) && keepKey(t, q, kv) < 0) rc = oom(m);
      if (rc == 0 && (row + 1 == (w == batch ? per : rest))) {
        if (campDbStep(w) != DB_DONE) rc = dbFail(m, m->dst, "write table", t->name);
        campDbReset(w);
      }
    }
    if (rc == 0 && step != DB_DONE) rc = dbFail(m, m->src, "read table", t->name);
    campDbReset(q);
    if (rc || !nkey || inPage < PAGE) break;
    bindKey(next, kv, nkey);
    q = next;
  }
  if (rc == 0 && done != n) { snprintf(m->err, m->errSize, "table '%s' changed while it was read", t->name); rc = -1; }
  t->rows = done;
  for (int i = 0; i < nkey; i++) free(kv[i].s);
  free(kv);
  campDbFinalize(first);
  campDbFinalize(next);
  campDbFinalize(batch);
  campDbFinalize(tail);
  free(firstSql);
  free(nextSql);
  return rc;
}

/* PostgreSQL: every identity sequence of the target past the ids copied,
** so that new rows do not take them. */
static int setSequences(Move *m) {
  DbStmt *st = campDbPrepare(m->dst, "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns "
                                     "WHERE table_schema = current_schema() AND is_identity = 'YES'", NULL, 0);
  if (!st) return dbFail(m, m->dst, "read the identity columns", NULL);
  int rc = 0, step;
  while (rc == 0 && (step = campDbStep(st)) == DB_ROW) {
    Buf table = { 0 }, sql = { 0 };
    campStoreIdentPut(&table, campDbColumnText(st, 0));
    campBufPuts(&sql, "SELECT setval(pg_get_serial_sequence(?, ?), max(");
    campStoreIdentPut(&sql, campDbColumnText(st, 1));
    campBufPrintf(&sql, ")) FROM %s", table.p ? table.p : "");
    DbStmt *set = table.oom || sql.oom ? NULL : campDbPrepare(m->dst, sql.p, NULL, 0);
    if (set) {
      campDbBindText(set, 1, table.p, -1);
      campDbBindText(set, 2, campDbColumnText(st, 1), -1);
    }
    if (!set || campDbStep(set) != DB_ROW) rc = dbFail(m, m->dst, "set the id sequence of", campDbColumnText(st, 0));
    campDbFinalize(set);
    campBufFree(&table);
    campBufFree(&sql);
  }
  if (rc == 0 && step != DB_DONE) rc = dbFail(m, m->dst, "read the identity columns", NULL);
  campDbFinalize(st);
  return rc;
}

/* PostgreSQL: the planner's statistics of the tables copied, at once
** rather than when autovacuum comes by; the copy stands without. */
static void analyze(Move *m) {
  Buf sql = { 0 };
  campBufPuts(&sql, "ANALYZE ");
  for (int i = 0; i < m->nt; i++) {
    if (i) campBufPuts(&sql, ", ");
    campStoreIdentPut(&sql, m->t[i].name);
  }
  if (!sql.oom && m->nt) campDbExec(m->dst, sql.p, NULL, 0);
  campBufFree(&sql);
}

/* -- the whole copy ---------------------------------------------------------- */

/* Everything between the two BEGINs and the target's COMMIT. */
static int copyAll(Move *m, char **camp, int ncamp) {
  if (isPg(m->dst) && campStorePgCreate(m->dst, NULL, 0) < 0) return dbFail(m, m->dst, "create the store's tables", NULL);
  /* a new SQLite file has camp init's secret: the source's replaces it */
  if (campDbExec(m->dst, "DELETE FROM camp_meta WHERE key <> 'schema'", NULL, 0) < 0) return dbFail(m, m->dst, "write table", "camp_meta");
  if (listTables(m, camp, ncamp) < 0) return -1;
  for (int i = 0; i < m->nt; i++) if (m->t[i].model && makeModelTable(m, &m->t[i]) < 0) return -1;
  for (int i = 0; i < m->nt; i++) {
    if (copyTable(m, &m->t[i]) < 0) return -1;
    m->stats->tables++;
    m->stats->rows += m->t[i].rows;
    if (m->stats->table) m->stats->table(m->stats->ctx, m->t[i].name, m->t[i].rows);
  }
  if (isPg(m->dst) && setSequences(m) < 0) return -1;
  for (int i = 0; i < m->nt; i++) {
    int64_t got[3];
    const Table *t = &m->t[i];
    if (tally(m, m->dst, t, got) < 0) return -1;
    if (got[0] != t->tally[0] || got[1] != t->tally[1] || got[2] != t->tally[2]) {
      snprintf(m->err, m->errSize, "table '%s' differs after the copy: %lld rows (sum %lld, max %lld) on %s, %lld (sum %lld, max %lld) on %s",
               t->name, (long long)t->tally[0], (long long)t->tally[1], (long long)t->tally[2], campDbName(m->src),
               (long long)got[0], (long long)got[1], (long long)got[2], campDbName(m->dst));
      return -1;
    }
  }
  return 0;
}

/* Open the source: it must be a camp database (a SQLite file is opened by
** the Engine first, so one of an older schema is brought up to date). */
static int openSource(Move *m, const char *from, char ***camp, int *ncamp) {
  if (!campDbIsUrl(from)) {
    struct stat sb;
    if (stat(from, &sb) < 0) { snprintf(m->err, m->errSize, "'%s': %s", from, strerror(errno)); return -1; }
    Engine *e = campEngineOpen(from, 0, INT64_MIN, m->err, m->errSize);
    if (!e) return -1;
    campEngineClose(e);
  }
  if (!(m->src = campDbOpen(from, 0, m->err, m->errSize))) return -1;
  if (campTables(m, m->src, camp, ncamp) < 0) return -1;
  int64_t version = schemaVersion(m->src);
  if (!hasName(*camp, *ncamp, "camp_meta") || !hasName(*camp, *ncamp, "camp_model") || version <= 0) {
    snprintf(m->err, m->errSize, "'%s' is not a camp database (no camp tables)", campDbName(m->src));
    return -1;
  }
  if (version != STORE_SCHEMA_VERSION) {
    snprintf(m->err, m->errSize, "'%s' has schema version %lld; this camp copies version %d", campDbName(m->src),
             (long long)version, STORE_SCHEMA_VERSION);
    return -1;
  }
  return 0;
}

/* Open the target: a new SQLite file (made as camp init makes it, under
** the temporary name *tmp), or a PostgreSQL database without camp tables. */
static int openTarget(Move *m, const char *to, char **tmp) {
  if (campDbIsUrl(to)) {
    if (!(m->dst = campDbOpen(to, 0, m->err, m->errSize))) return -1;
    char **camp;
    int n;
    if (campTables(m, m->dst, &camp, &n) < 0) return -1;
    textsFree(camp, n);
    if (n) { snprintf(m->err, m->errSize, "'%s' already has camp tables; camp migrate copies into an empty database only", campDbName(m->dst)); return -1; }
    return 0;
  }
  struct stat sb;
  if (stat(to, &sb) == 0 && (!S_ISREG(sb.st_mode) || sb.st_size > 0)) {
    snprintf(m->err, m->errSize, "'%s' already exists; camp migrate writes a new database (give a new path)", to);
    return -1;
  }
  if (asprintf(tmp, "%s.migrate-XXXXXX", to) < 0) { *tmp = NULL; return oom(m); }
  mode_t mask = umask(0);
  umask(mask);
  int fd = mkstemp(*tmp);
  if (fd < 0) { snprintf(m->err, m->errSize, "cannot create '%s': %s", to, strerror(errno)); free(*tmp); *tmp = NULL; return -1; }
  fchmod(fd, 0666 & ~mask);
  close(fd);
  Engine *e = campEngineOpen(*tmp, 1, INT64_MIN, m->err, m->errSize);
  if (!e) return -1;
  campEngineClose(e);
  return (m->dst = campDbOpen(*tmp, 0, m->err, m->errSize)) ? 0 : -1;
}

int campStoreMove(const char *from, const char *to, MoveStats *stats, char *err, size_t errSize) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  Move m = { .stats = stats, .err = err, .errSize = errSize };
  char **camp = NULL, *tmp = NULL;
  int ncamp = 0, rc, began = 0;
  rc = openSource(&m, from, &camp, &ncamp);
  if (rc == 0) rc = openTarget(&m, to, &tmp);
  if (rc == 0 && campDbExec(m.src, isPg(m.src) ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", NULL, 0) < 0)
    rc = dbFail(&m, m.src, "read", NULL);
  if (rc == 0 && campDbExec(m.dst, "BEGIN", NULL, 0) < 0) rc = dbFail(&m, m.dst, "write", NULL);
  else if (rc == 0) began = 1;
  if (rc == 0) rc = copyAll(&m, camp, ncamp);
  if (rc == 0 && campDbExec(m.dst, "COMMIT", NULL, 0) < 0) rc = dbFail(&m, m.dst, "commit the copy", NULL);
  else if (rc < 0 && began) campDbExec(m.dst, "ROLLBACK", NULL, 0);
  if (m.src && campDbInTransaction(m.src)) campDbExec(m.src, "ROLLBACK", NULL, 0);
  if (rc == 0 && isPg(m.dst)) analyze(&m);
  campDbClose(m.src);
  campDbClose(m.dst);
  if (tmp) {
    if (rc == 0 && rename(tmp, to) < 0) {
      snprintf(err, errSize, "cannot rename '%s' to '%s': %s", tmp, to, strerror(errno));
      rc = -1;
    }
    if (rc < 0) {
      char side[PATH_MAX + 16];
      const char *const ext[] = { "", "-wal", "-shm", "-journal" };
      for (int i = 0; i < 4; i++) { snprintf(side, sizeof side, "%s%s", tmp, ext[i]); unlink(side); }
    }
    free(tmp);
  }
  for (int i = 0; i < m.nt; i++) {
    for (int c = 0; c < m.t[i].ncol; c++) free(m.t[i].col[c].name);
    free(m.t[i].col);
    free(m.t[i].name);
    free(m.t[i].tallySql);
  }
  free(m.t);
  textsFree(camp, ncamp);
  stats->seconds = seconds(&t0);
  return rc;
}
