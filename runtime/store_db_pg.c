/*
** runtime/store_db_pg.c -- the PostgreSQL backend of runtime/db.h, through
** libpq: one connection per Db, statements prepared on the server under a
** name of their own the first time they run, parameters sent as text
** (blobs as binary), results read as text.
**
** Owns: connecting and saying why it failed in one line without the
** password, rewriting '?' and '?N' parameters to $N, running a statement
** and walking its rows, the types of columns, serialization failures and
** deadlocks as DB_BUSY (the caller retries the transaction).  Does not
** own: SQL that differs between SQLite and PostgreSQL (the store picks it).
*/
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_db_int.h"

/* PostgreSQL type oids (pg_type.h is a server header) */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

struct PgConn {
  PGconn *c;
  int64_t changes;
  unsigned nextName;
};

struct PgStmt {
  char name[24];
  char *sql;                    /* with $N parameters */
  int nparam, prepared;
  char **val;                   /* each parameter's bytes, or NULL for null */
  int *len, *fmt;
  PGresult *res;
  int row, nrow, ran;
  unsigned char *blob;          /* the last bytea read, unescaped: row blobRow, column blobCol */
  size_t blobLen;
  int blobRow, blobCol;
  char num[2];                  /* a bool column as "1" / "0" */
};

/* The first line of a libpq message, without its "ERROR:  " and "FATAL:  ". */
static void firstLine(char *out, size_t size, const char *msg) {
  if (!msg) msg = "";
  for (const char *p; (p = strstr(msg, ":  ")) && p - msg < 8;) msg = p + 3;
  size_t n = strcspn(msg, "\n");
  snprintf(out, size, "%.*s", (int)n, msg);
}

/* Why a connection failed, in words a user can act on. */
static void connectError(Db *db, PGconn *c) {
  char line[400], what[200];
  firstLine(line, sizeof line, PQerrorMessage(c));
  const char *user = PQuser(c), *host = PQhost(c), *port = PQport(c), *dbname = PQdb(c);
  if (strstr(line, "password authentication failed") || strstr(line, "no password supplied"))
    snprintf(db->err, sizeof db->err, "PostgreSQL refused user '%.64s': %s", user ? user : "?",
             strstr(line, "no password") ? "it needs a password (give it in the URL or in ~/.pgpass)" : "password authentication failed");
  else if (strstr(line, "does not exist") && strstr(line, "database"))
    snprintf(db->err, sizeof db->err, "PostgreSQL has no database '%.64s' (create it: createdb -O %.64s %.64s)", dbname ? dbname : "?",
             user ? user : "USER", dbname ? dbname : "NAME");
  else if (strstr(line, "does not exist") && strstr(line, "role"))
    snprintf(db->err, sizeof db->err, "PostgreSQL has no user '%.64s' (create it: createuser -P %.64s)", user ? user : "?", user ? user : "USER");
  else if (strstr(line, "invalid") && (strstr(line, "URI") || strstr(line, "connection option")))
    snprintf(db->err, sizeof db->err, "'%.160s' is not a PostgreSQL URL that libpq reads: %.300s", db->name, line);
  else {
    if (host && *host == '/') snprintf(what, sizeof what, "the socket in %s", host);
    else snprintf(what, sizeof what, "%s:%s", host && *host ? host : "localhost", port && *port ? port : "5432");
    const char *why = strstr(line, "failed: ");
    snprintf(db->err, sizeof db->err, "cannot connect to PostgreSQL at %.160s: %.300s", what, why ? why + 8 : line);
  }
}

int campDbPgOpen(Db *db, const char *url) {
  db->pg = calloc(1, sizeof *db->pg);
  if (!db->pg) { snprintf(db->err, sizeof db->err, "out of memory"); return -1; }
  const char *keys[] = { "dbname", "connect_timeout", "application_name", "client_encoding", NULL };
  const char *vals[] = { url, "10", "camp", "UTF8", NULL };
  PGconn *c = PQconnectdbParams(keys, vals, 1);   /* expand_dbname: the URL; its own options win over these */
  if (!c) { snprintf(db->err, sizeof db->err, "out of memory"); return -1; }
  db->pg->c = c;
  if (PQstatus(c) != CONNECTION_OK) { connectError(db, c); return -1; }
  PGresult *r = PQexec(c, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) firstLine(db->err, sizeof db->err, PQresultErrorMessage(r));
  PQclear(r);
  return ok ? 0 : -1;
}

void campDbPgClose(Db *db) {
  if (!db->pg) return;
  if (db->pg->c) PQfinish(db->pg->c);
  free(db->pg);
}

/* The outcome of a result: 0 fine, else DB_BUSY (retry the transaction:
** a serialization failure, a deadlock, a lost connection) or DB_FAIL, with
** db->err set. */
static int outcome(Db *db, PGresult *r) {
  ExecStatusType s = PQresultStatus(r);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return 0;
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  firstLine(db->err, sizeof db->err, r ? PQresultErrorMessage(r) : PQerrorMessage(db->pg->c));
  if (!db->err[0]) firstLine(db->err, sizeof db->err, PQerrorMessage(db->pg->c));
  if (PQstatus(db->pg->c) == CONNECTION_BAD) return DB_BUSY;
  return state && (!strcmp(state, "40001") || !strcmp(state, "40P01")) ? DB_BUSY : DB_FAIL;
}

int campDbPgExec(Db *db, const char *sql) {
  PGresult *r = PQexec(db->pg->c, sql);
  int rc = outcome(db, r);
  if (rc == 0) db->pg->changes = strtoll(PQcmdTuples(r), NULL, 10);
  PQclear(r);
  return rc ? -1 : 0;
}

int campDbPgInTransaction(Db *db) {
  PGTransactionStatusType t = PQtransactionStatus(db->pg->c);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

int64_t campDbPgChanges(Db *db) { return db->pg->changes; }

/* sql with '?' (numbered in order) and '?N' as $N, outside quotes and
** comments; *nparam: the highest number.  malloc'd. */
static char *dollars(const char *sql, int *nparam) {
  size_t n = strlen(sql);
  char *out = malloc(n * 4 + 1), *w = out;   /* '?' -> '$NNN' at most */
  if (!out) return NULL;
  int next = 0, max = 0;
  for (const char *p = sql; *p;) {
    if (*p == '\'' || *p == '"') {                        /* a literal or a quoted name */
      char q = *p;
      *w++ = *p++;
      while (*p && !(*p == q && p[1] != q)) { if (*p == q) *w++ = *p++; *w++ = *p++; }
      if (*p) *w++ = *p++;
    } else if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') *w++ = *p++;
    } else if (*p == '?') {
      p++;
      int k;
      if (isdigit((unsigned char)*p)) { k = (int)strtol(p, (char **)&p, 10); }
      else k = ++next;
      if (k > max) max = k;
      w += sprintf(w, "$%d", k);
    } else *w++ = *p++;
  }
  *w = 0;
  *nparam = max;
  return out;
}

DbStmt *campDbPgPrepare(Db *db, const char *sql) {
  DbStmt *st = calloc(1, sizeof *st);
  struct PgStmt *p = calloc(1, sizeof *p);
  int n = 0;
  char *q = p ? dollars(sql, &n) : NULL;
  if (!st || !p || !q) { free(st); free(p); free(q); snprintf(db->err, sizeof db->err, "out of memory"); return NULL; }
  p->sql = q;
  p->nparam = n;
  p->val = calloc((size_t)n + 1, sizeof *p->val);
  p->len = calloc((size_t)n + 1, sizeof *p->len);
  p->fmt = calloc((size_t)n + 1, sizeof *p->fmt);
  if (!p->val || !p->len || !p->fmt) {
    free(p->val); free(p->len); free(p->fmt); free(q); free(p); free(st);
    snprintf(db->err, sizeof db->err, "out of memory");
    return NULL;
  }
  snprintf(p->name, sizeof p->name, "camp%u", ++db->pg->nextName);
  st->db = db;
  st->pg = p;
  return st;
}

void campDbPgReset(DbStmt *st) {
  struct PgStmt *p = st->pg;
  PQfreemem(p->blob);
  p->blob = NULL;
  PQclear(p->res);
  p->res = NULL;
  p->ran = p->row = p->nrow = 0;
}

void campDbPgClearBindings(DbStmt *st) {
  struct PgStmt *p = st->pg;
  for (int i = 0; i < p->nparam; i++) { free(p->val[i]); p->val[i] = NULL; p->len[i] = p->fmt[i] = 0; }
}

void campDbPgFinalize(DbStmt *st) {
  struct PgStmt *p = st->pg;
  campDbPgReset(st);
  campDbPgClearBindings(st);
  if (p->prepared && PQstatus(st->db->pg->c) == CONNECTION_OK) {
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", p->name);
    PQclear(PQexec(st->db->pg->c, sql));
  }
  free(p->val); free(p->len); free(p->fmt); free(p->sql); free(p);
}

int campDbPgBind(DbStmt *st, int i, DbType type, const void *v, int len, int64_t iv, double dv) {
  struct PgStmt *p = st->pg;
  if (i < 1 || i > p->nparam) return -1;
  char num[40], *copy = NULL;
  i--;
  if (type == DB_INTEGER) { len = snprintf(num, sizeof num, "%lld", (long long)iv); v = num; }
  else if (type == DB_FLOAT) { len = snprintf(num, sizeof num, "%.17g", dv); v = num; }
  if (type != DB_NULL) {
    copy = malloc((size_t)len + 1);
    if (!copy) return -1;
    memcpy(copy, v, (size_t)len);
    copy[len] = 0;
  }
  free(p->val[i]);
  p->val[i] = copy;
  p->len[i] = len;
  p->fmt[i] = type == DB_BLOB;
  return 0;
}

int campDbPgStep(DbStmt *st) {
  struct PgStmt *p = st->pg;
  Db *db = st->db;
  if (p->ran) return ++p->row < p->nrow ? DB_ROW : DB_DONE;
  if (!p->prepared) {
    PGresult *r = PQprepare(db->pg->c, p->name, p->sql, p->nparam, NULL);
    int rc = outcome(db, r);
    PQclear(r);
    if (rc) return rc;
    p->prepared = 1;
  }
  p->res = PQexecPrepared(db->pg->c, p->name, p->nparam, (const char *const *)p->val, p->len, p->fmt, 0);
  int rc = outcome(db, p->res);
  if (rc) { PQclear(p->res); p->res = NULL; return rc; }
  p->ran = 1;
  p->row = 0;
  p->nrow = PQresultStatus(p->res) == PGRES_TUPLES_OK ? PQntuples(p->res) : 0;
  if (PQresultStatus(p->res) == PGRES_COMMAND_OK) db->pg->changes = strtoll(PQcmdTuples(p->res), NULL, 10);
  return p->nrow ? DB_ROW : DB_DONE;
}

int campDbPgColumnCount(DbStmt *st) { return st->pg->res ? PQnfields(st->pg->res) : 0; }

DbType campDbPgColumnType(DbStmt *st, int col) {
  struct PgStmt *p = st->pg;
  if (!p->res || p->row >= p->nrow || PQgetisnull(p->res, p->row, col)) return DB_NULL;
  switch (PQftype(p->res, col)) {
  case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: return DB_INTEGER;
  case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC: return DB_FLOAT;
  case OID_BYTEA: return DB_BLOB;
  default: return DB_TEXT;
  }
}

const char *campDbPgColumnText(DbStmt *st, int col) {
  struct PgStmt *p = st->pg;
  if (!p->res || p->row >= p->nrow || PQgetisnull(p->res, p->row, col)) return "";
  const char *s = PQgetvalue(p->res, p->row, col);
  if (PQftype(p->res, col) != OID_BOOL) return s;
  p->num[0] = *s == 't' ? '1' : '0';
  p->num[1] = 0;
  return p->num;
}

const void *campDbPgColumnBlob(DbStmt *st, int col) {
  struct PgStmt *p = st->pg;
  if (!p->res || p->row >= p->nrow || PQgetisnull(p->res, p->row, col)) return NULL;
  if (p->blob && p->blobRow == p->row && p->blobCol == col) return p->blob;
  PQfreemem(p->blob);
  p->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(p->res, p->row, col), &p->blobLen);
  p->blobRow = p->row;
  p->blobCol = col;
  return p->blob;
}

int campDbPgColumnBytes(DbStmt *st, int col) {
  struct PgStmt *p = st->pg;
  if (!p->res || p->row >= p->nrow || PQgetisnull(p->res, p->row, col)) return 0;
  if (PQftype(p->res, col) == OID_BYTEA) { campDbPgColumnBlob(st, col); return (int)p->blobLen; }
  return PQgetlength(p->res, p->row, col);
}
