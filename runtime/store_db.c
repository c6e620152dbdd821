/*
** runtime/store_db.c -- the connection API of runtime/db.h: each call goes to
** the backend of its connection (store_db_sqlite.c, store_db_pg.c).
**
** Owns: choosing the backend from the target, the shown name of a URL
** (no password), the calls that are the same for both, and the SQL a
** copy runs on each.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/buf.h"
#include "runtime/store_db_int.h"

int campDbIsUrl(const char *target) {
  return target && (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11));
}

char *campDbUrlShown(const char *url) {
  const char *scheme = strstr(url, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
  const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
  if (!at || (slash && slash < at)) return strdup(url);
  const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
  if (!colon) return strdup(url);
  char *s = NULL;
  if (asprintf(&s, "%.*s%s", (int)(colon - url), url, at) < 0) return NULL;
  return s;
}

Db *campDbOpen(const char *target, int create, char *err, size_t errSize) {
  Db *db = calloc(1, sizeof *db);
  if (!db) { snprintf(err, errSize, "out of memory"); return NULL; }
  int url = campDbIsUrl(target);
  db->kind = url ? DB_POSTGRES : DB_SQLITE;
  db->name = url ? campDbUrlShown(target) : strdup(target);
  int rc = !db->name ? (snprintf(db->err, sizeof db->err, "out of memory"), -1)
         : url ? campDbPgOpen(db, target) : campDbLiteOpen(db, target, create);
  if (rc < 0) {
    snprintf(err, errSize, "%s", db->err);
    campDbClose(db);
    return NULL;
  }
  return db;
}

void campDbClose(Db *db) {
  if (!db) return;
  if (db->kind == DB_POSTGRES) campDbPgClose(db); else campDbLiteClose(db);
  free(db->name);
  free(db);
}

DbKind campDbKind(const Db *db) { return db->kind; }
const char *campDbName(const Db *db) { return db->name; }
const char *campDbError(Db *db) { return db->err; }

int campDbExec(Db *db, const char *sql, char *err, size_t errSize) {
  int rc = db->kind == DB_POSTGRES ? campDbPgExec(db, sql) : campDbLiteExec(db, sql);
  if (rc < 0 && db->kind == DB_SQLITE) db->retryable = sqlite3_errcode(db->lite) == SQLITE_BUSY;
  if (rc < 0 && err) snprintf(err, errSize, "database: %s", db->err);
  return rc;
}

int campDbInTransaction(Db *db) {
  return db->kind == DB_POSTGRES ? campDbPgInTransaction(db) : !sqlite3_get_autocommit(db->lite);
}

int64_t campDbChanges(Db *db) { return db->kind == DB_POSTGRES ? campDbPgChanges(db) : sqlite3_changes(db->lite); }

DbStmt *campDbPrepare(Db *db, const char *sql, char *err, size_t errSize) {
  DbStmt *st = db->kind == DB_POSTGRES ? campDbPgPrepare(db, sql) : campDbLitePrepare(db, sql);
  if (!st && err) snprintf(err, errSize, "database: %s", db->err);
  return st;
}

void campDbFinalize(DbStmt *st) {
  if (!st) return;
  if (st->pg) campDbPgFinalize(st); else sqlite3_finalize(st->lite);
  free(st);
}

void campDbReset(DbStmt *st) { if (st->pg) campDbPgReset(st); else sqlite3_reset(st->lite); }
void campDbClearBindings(DbStmt *st) { if (st->pg) campDbPgClearBindings(st); else sqlite3_clear_bindings(st->lite); }

int campDbBindInt64(DbStmt *st, int i, int64_t v) {
  return st->pg ? campDbPgBind(st, i, DB_INTEGER, NULL, 0, v, 0) : sqlite3_bind_int64(st->lite, i, v) == SQLITE_OK ? 0 : -1;
}
int campDbBindDouble(DbStmt *st, int i, double v) {
  return st->pg ? campDbPgBind(st, i, DB_FLOAT, NULL, 0, 0, v) : sqlite3_bind_double(st->lite, i, v) == SQLITE_OK ? 0 : -1;
}
int campDbBindText(DbStmt *st, int i, const char *s, int len) {
  if (!s) return campDbBindNull(st, i);
  if (len < 0) len = (int)strlen(s);
  return st->pg ? campDbPgBind(st, i, DB_TEXT, s, len, 0, 0)
                : sqlite3_bind_text(st->lite, i, s, len, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}
int campDbBindBlob(DbStmt *st, int i, const void *p, int len) {
  return st->pg ? campDbPgBind(st, i, DB_BLOB, p, len, 0, 0)
                : sqlite3_bind_blob(st->lite, i, p, len, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}
int campDbBindNull(DbStmt *st, int i) {
  return st->pg ? campDbPgBind(st, i, DB_NULL, NULL, 0, 0, 0) : sqlite3_bind_null(st->lite, i) == SQLITE_OK ? 0 : -1;
}

int campDbStep(DbStmt *st) {
  if (st->pg) return campDbPgStep(st);
  int rc = sqlite3_step(st->lite);
  if (rc == SQLITE_ROW) return DB_ROW;
  if (rc == SQLITE_DONE) return DB_DONE;
  snprintf(st->db->err, sizeof st->db->err, "%s", sqlite3_errmsg(st->db->lite));
  st->db->retryable = rc == SQLITE_BUSY;
  return rc == SQLITE_BUSY ? DB_BUSY : DB_FAIL;
}

int campDbColumnCount(DbStmt *st) { return st->pg ? campDbPgColumnCount(st) : sqlite3_column_count(st->lite); }

DbType campDbColumnType(DbStmt *st, int col) {
  if (st->pg) return campDbPgColumnType(st, col);
  switch (sqlite3_column_type(st->lite, col)) {
  case SQLITE_INTEGER: return DB_INTEGER;
  case SQLITE_FLOAT: return DB_FLOAT;
  case SQLITE_BLOB: return DB_BLOB;
  case SQLITE_NULL: return DB_NULL;
  default: return DB_TEXT;
  }
}

int64_t campDbColumnInt64(DbStmt *st, int col) {
  return st->pg ? strtoll(campDbPgColumnText(st, col), NULL, 10) : sqlite3_column_int64(st->lite, col);
}
double campDbColumnDouble(DbStmt *st, int col) {
  return st->pg ? strtod(campDbPgColumnText(st, col), NULL) : sqlite3_column_double(st->lite, col);
}
const char *campDbColumnText(DbStmt *st, int col) {
  if (st->pg) return campDbPgColumnText(st, col);
  const unsigned char *s = sqlite3_column_text(st->lite, col);
  return s ? (const char *)s : "";
}
const void *campDbColumnBlob(DbStmt *st, int col) {
  return st->pg ? campDbPgColumnBlob(st, col) : sqlite3_column_blob(st->lite, col);
}
int campDbColumnBytes(DbStmt *st, int col) {
  return st->pg ? campDbPgColumnBytes(st, col) : sqlite3_column_bytes(st->lite, col);
}

int campDbFinish(DbStmt *st, int rc, char *err, size_t errSize) {
  if (rc != DB_DONE && err) snprintf(err, errSize, "database: %s", campDbError(st->db));
  campDbFinalize(st);
  return rc == DB_DONE ? 0 : -1;
}

int campDbBegin(Db *db, char *err, size_t errSize) {
  return campDbExec(db, db->kind == DB_POSTGRES ? "BEGIN" : "BEGIN IMMEDIATE", err, errSize);
}

int campDbRetryable(Db *db) { return db->retryable; }

char *campDbQuoteName(const char *name) {
  size_t n = 3;
  for (const char *p = name; *p; p++) n += *p == '"' ? 2 : 1;
  char *out = malloc(n), *w = out;
  if (!out) return NULL;
  *w++ = '"';
  for (const char *p = name; *p; p++) { if (*p == '"') *w++ = '"'; *w++ = *p; }
  *w++ = '"';
  *w = 0;
  return out;
}

/* -- bulk writes ------------------------------------------------------------ */

/* The statement a copy runs: PostgreSQL's COPY, or SQLite's INSERT with a
** parameter per column (malloc'd; NULL when out of memory). */
static char *copySql(Db *db, const char *table, const char *const *columns, int ncolumns) {
  Buf b = { 0 };
  char *q = campDbQuoteName(table);
  campBufPrintf(&b, "%s %s(", db->kind == DB_POSTGRES ? "COPY" : "INSERT INTO", q ? q : "");
  free(q);
  for (int i = 0; i < ncolumns; i++) {
    q = campDbQuoteName(columns[i]);
    campBufPrintf(&b, "%s%s", i ? ", " : "", q ? q : "");
    if (!q) b.oom = 1;
    free(q);
  }
  if (db->kind == DB_POSTGRES) campBufPuts(&b, ") FROM STDIN");
  else {
    campBufPuts(&b, ") VALUES(");
    for (int i = 0; i < ncolumns; i++) campBufPuts(&b, i ? ", ?" : "?");
    campBufPuts(&b, ")");
  }
  if (b.oom) { campBufFree(&b); return NULL; }
  return b.p;
}

static void copyFree(DbCopy *c) {
  free(c->buf);
  free(c->value);
  free(c->text);
  free(c->num);
  free(c);
}

DbCopy *campDbCopyBegin(Db *db, const char *table, const char *const *columns, int ncolumns, char *err, size_t errSize) {
  DbCopy *c = calloc(1, sizeof *c);
  char *sql = c && ncolumns > 0 ? copySql(db, table, columns, ncolumns) : NULL;
  if (!sql) {
    snprintf(err, errSize, ncolumns > 0 ? "out of memory" : "database: a copy needs a column");
    free(c);
    return NULL;
  }
  c->db = db;
  c->ncol = ncolumns;
  int pg = db->kind == DB_POSTGRES, rc = -1;
  if (pg ? !(c->text = calloc((size_t)ncolumns, sizeof *c->text)) || !(c->num = calloc((size_t)ncolumns, sizeof *c->num))
         : !(c->value = calloc((size_t)ncolumns, sizeof *c->value)))
    snprintf(db->err, sizeof db->err, "out of memory");
  else rc = pg ? campDbPgCopyBegin(c, sql) : campDbLiteCopyBegin(c, sql);
  free(sql);
  if (rc == 0) return c;
  snprintf(err, errSize, "database: %s", db->err);
  copyFree(c);
  return NULL;
}

int campDbCopyRow(DbCopy *c, const char *const *values) {
  if (c->failed) return -1;
  int rc;
  if (c->db->kind == DB_POSTGRES) rc = campDbPgCopyRow(c, values);
  else {
    for (int i = 0; i < c->ncol; i++) c->value[i] = (DbValue){ .type = values[i] ? DB_TEXT : DB_NULL, .s = values[i] };
    rc = campDbLiteCopyRow(c, c->value);
  }
  if (rc < 0) c->failed = 1;
  return rc;
}

int campDbCopyValues(DbCopy *c, const DbValue *values) {
  if (c->failed) return -1;
  int rc;
  if (c->db->kind == DB_SQLITE) rc = campDbLiteCopyRow(c, values);
  else {
    for (int i = 0; i < c->ncol; i++) {
      const DbValue *v = &values[i];
      c->text[i] = v->type == DB_TEXT ? v->s : v->type == DB_NULL ? NULL : c->num[i];
      if (v->type == DB_INTEGER) snprintf(c->num[i], sizeof c->num[i], "%lld", (long long)v->i);
      else if (v->type == DB_FLOAT) snprintf(c->num[i], sizeof c->num[i], "%.17g", v->r);
    }
    rc = campDbPgCopyRow(c, c->text);
  }
  if (rc < 0) c->failed = 1;
  return rc;
}

long campDbCopyEnd(DbCopy *c, char *err, size_t errSize) {
  if (!c) return -1;
  long rows = c->db->kind == DB_POSTGRES ? campDbPgCopyEnd(c) : campDbLiteCopyEnd(c);
  if (rows < 0 && err) snprintf(err, errSize, "database: %s", c->db->err);
  copyFree(c);
  return rows;
}

/* -- waking up on news ------------------------------------------------------ */

int campDbListen(Db *db, const char *channel, char *err, size_t errSize) {
  if (db->kind != DB_POSTGRES) return 0;
  int rc = campDbPgListen(db, channel);
  if (rc < 0 && err) snprintf(err, errSize, "database: %s", db->err);
  return rc;
}

int campDbNotify(Db *db, const char *channel, const char *payload, char *err, size_t errSize) {
  if (db->kind != DB_POSTGRES) return 0;
  int rc = campDbPgNotify(db, channel, payload);
  if (rc < 0 && err) snprintf(err, errSize, "database: %s", db->err);
  return rc;
}

int campDbWait(Db *db, int timeoutMs) {
  if (db->kind == DB_POSTGRES) return campDbPgWait(db, timeoutMs);
  if (timeoutMs > 0) nanosleep(&(struct timespec){ timeoutMs / 1000, timeoutMs % 1000 * 1000000L }, NULL);
  return 0;
}
