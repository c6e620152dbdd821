/*
** runtime/store_db_pg.c -- the PostgreSQL backend of runtime/db.h, through
** libpq: one connection per Db, statements prepared on the server under a
** name of their own the first time they run on a connection, parameters
** sent as text (blobs as binary), results read as text.
**
** Owns: connecting and saying why it failed in one line without the
** password, connecting again when the connection is lost (with a growing
** delay, up to CAMP_PG_RECONNECT_SECONDS) and preparing statements again,
** rewriting '?' and '?N' parameters to $N, running a statement and walking
** its rows, the types of columns, the failures a retry may cure as DB_BUSY
** (the caller runs the transaction again), COPY, LISTEN, NOTIFY and the
** wait for a notification.  Does not own: SQL that differs between SQLite
** and PostgreSQL (the store picks it).
*/
#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
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

#define COPY_CHUNK 65536        /* bytes of COPY data sent at once */
#define ANSWERED 1000           /* ready(): the statement needs no server (not a DB_* code) */

struct PgConn {
  PGconn *c;                    /* keeps the URL's parameters for PQreset */
  int64_t changes;
  unsigned nextName;
  unsigned gen;                 /* the connection's number: 1, then one more per reconnect */
  int inTx;                     /* the statement on its way was sent inside a transaction */
  int txLost;                   /* the connection dropped inside a transaction: refuse until ROLLBACK or BEGIN */
  int missed;                   /* connected again since the last campDbWait: notifications may be lost */
  int inCopy;
  char **channels;              /* listened to, for every new connection */
  int nchannel;
};

struct PgStmt {
  char name[24];
  char *sql;                    /* with $N parameters */
  int nparam;
  unsigned gen;                 /* prepared on connection number gen (0: never) */
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

static void quiet(void *arg, const char *message) { (void)arg; (void)message; }

/* What every new connection is told first, and the channels it listens
** to.  0, or -1 with db->err set. */
static int session(Db *db) {
  struct PgConn *pg = db->pg;
  PGresult *r = PQexec(pg->c, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) firstLine(db->err, sizeof db->err, PQresultErrorMessage(r));
  PQclear(r);
  for (int i = 0; ok && i < pg->nchannel; i++) {
    char *q = campDbQuoteName(pg->channels[i]), *sql = NULL;
    if (q && asprintf(&sql, "LISTEN %s", q) > 0) {
      r = PQexec(pg->c, sql);
      ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      if (!ok) firstLine(db->err, sizeof db->err, PQresultErrorMessage(r));
      PQclear(r);
    } else { ok = 0; snprintf(db->err, sizeof db->err, "out of memory"); }
    free(q);
    free(sql);
  }
  return ok ? 0 : -1;
}

/* A session left idle inside a transaction for longer than a runner's lease
** (CAMP_LEASE_SECONDS, 120: runtime/store_runner.c) is ended by the server,
** so a worker cut off in the middle of a batch lets go of the rows it
** locked when its lease runs out; TCP keepalives find a dead peer. */
static void sessionOptions(char *out, size_t size) {
  const char *s = getenv("CAMP_LEASE_SECONDS");
  long lease = s && *s ? strtol(s, NULL, 10) : 0;
  snprintf(out, size, "-c idle_in_transaction_session_timeout=%lds", lease > 0 ? lease : 120);
}

int campDbPgOpen(Db *db, const char *url) {
  db->pg = calloc(1, sizeof *db->pg);
  if (!db->pg) { snprintf(db->err, sizeof db->err, "out of memory"); return -1; }
  char options[96];
  sessionOptions(options, sizeof options);
  const char *keys[] = { "dbname", "connect_timeout", "application_name", "client_encoding", "options", "keepalives_idle",
                         "keepalives_interval", "keepalives_count", NULL };
  const char *vals[] = { url, "10", "camp", "UTF8", options, "30", "10", "3", NULL };
  PGconn *c = PQconnectdbParams(keys, vals, 1);   /* expand_dbname: the URL; its own options win over these */
  if (!c) { snprintf(db->err, sizeof db->err, "out of memory"); return -1; }
  db->pg->c = c;
  db->pg->gen = 1;
  if (PQstatus(c) != CONNECTION_OK) { connectError(db, c); return -1; }
  PQsetNoticeProcessor(c, quiet, NULL);   /* a notice ("there is no transaction in progress") is no output of camp's */
  return session(db);
}

void campDbPgClose(Db *db) {
  if (!db->pg) return;
  if (db->pg->c) PQfinish(db->pg->c);
  for (int i = 0; i < db->pg->nchannel; i++) free(db->pg->channels[i]);
  free(db->pg->channels);
  free(db->pg);
}

/* -- a lost connection ------------------------------------------------------- */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds to wait for a lost server: CAMP_PG_RECONNECT_SECONDS, else 60. */
static double reconnectLimit(void) {
  const char *s = getenv("CAMP_PG_RECONNECT_SECONDS");
  char *end;
  double v = s && *s ? strtod(s, &end) : -1;
  return v >= 0 && s && !*end ? v : 60;
}

/* Connect again with the same parameters, after 50 ms, 100 ms, ... (at
** most 2 s between tries) until the server answers or the limit passed.
** A refusal that waiting will not cure (the password, a database gone)
** ends it at once.  0 (a new connection number; statements are prepared
** again, channels listened to again), or -1 with db->err set. */
static int reconnect(Db *db) {
  struct PgConn *pg = db->pg;
  double limit = reconnectLimit(), start = now(), delay = 0.05;
  char why[sizeof db->err];
  for (;;) {
    PQreset(pg->c);
    if (PQstatus(pg->c) == CONNECTION_OK && session(db) == 0) {
      pg->gen++;
      pg->missed = 1;
      return 0;
    }
    if (PQstatus(pg->c) != CONNECTION_OK) connectError(db, pg->c);
    snprintf(why, sizeof why, "%s", db->err);
    if (strstr(why, "PostgreSQL refused") || strstr(why, "PostgreSQL has no")) {
      snprintf(db->err, sizeof db->err, "connection to PostgreSQL lost; connecting again: %.400s", why);
      break;
    }
    double left = limit - (now() - start);
    if (left <= 0) {
      snprintf(db->err, sizeof db->err, "connection to PostgreSQL lost; not back within %g s: %.400s", limit, why);
      break;
    }
    if (delay > left) delay = left;
    nanosleep(&(struct timespec){ (time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9) }, NULL);
    delay = delay * 2 < 2 ? delay * 2 : 2;
  }
  db->retryable = 0;
  return -1;
}

/* The connection dropped under the statement on its way: DB_BUSY with
** "connection to PostgreSQL lost" in db->err; a transaction it was in is
** gone, and the statements after it are refused until ROLLBACK or BEGIN. */
static int lost(Db *db, const char *msg) {
  char line[300];
  firstLine(line, sizeof line, msg);
  db->pg->txLost = db->pg->inTx;
  snprintf(db->err, sizeof db->err, "connection to PostgreSQL lost%s%s%s", db->pg->inTx ? " (the transaction is gone: run it again)" : "",
           *line ? ": " : "", line);
  db->retryable = 1;
  return DB_BUSY;
}

/* The first word of sql in capitals into w (at most size - 1 letters), and
** where the next word starts. */
static const char *word(const char *sql, char *w, size_t size) {
  size_t n = 0;
  while (isspace((unsigned char)*sql)) sql++;
  for (; isalpha((unsigned char)*sql); sql++) if (n + 1 < size) w[n++] = (char)toupper((unsigned char)*sql);
  w[n] = 0;
  while (isspace((unsigned char)*sql)) sql++;
  return sql;
}

/* Before a statement (sql; NULL: a wait) goes to the server: after a
** transaction was lost, only a lone ROLLBACK (answered here) or BEGIN
** pass; a connection found gone, now or before, is made again.  0 to go
** on, ANSWERED, or DB_BUSY or DB_FAIL with db->err set. */
static int ready(Db *db, const char *sql) {
  struct PgConn *pg = db->pg;
  if (pg->inCopy) { snprintf(db->err, sizeof db->err, "a COPY is in progress on this connection"); db->retryable = 0; return DB_FAIL; }
  if (pg->txLost) {
    char w[12] = "", to[4] = "";
    const char *rest = sql ? word(sql, w, sizeof w) : "";
    int rollback = (!strcmp(w, "ROLLBACK") || !strcmp(w, "ABORT")) && (word(rest, to, sizeof to), strcmp(to, "TO"));
    if (rollback && !rest[strspn(rest, "; \t\n")]) { pg->txLost = 0; return ANSWERED; }   /* a lone ROLLBACK */
    if (!rollback && strcmp(w, "BEGIN")) {
      snprintf(db->err, sizeof db->err, "connection to PostgreSQL lost inside a transaction: roll it back and run it again");
      db->retryable = 1;
      return DB_BUSY;
    }
    pg->txLost = 0;
  }
  PGTransactionStatusType t = PQtransactionStatus(pg->c);
  if (PQstatus(pg->c) == CONNECTION_OK && t == PQTRANS_IDLE) {
    /* nothing sent yet: a server that went away since the last statement
    ** (its goodbye is waiting on the socket) is connected to again, without
    ** a failure; a notification waiting there is kept for campDbWait */
    struct pollfd fd = { PQsocket(pg->c), POLLIN, 0 };
    for (int i = 0; i < 8 && poll(&fd, 1, 0) > 0 && PQconsumeInput(pg->c); i++) {}   /* its FATAL, then its end */
  }
  if (PQstatus(pg->c) != CONNECTION_OK && reconnect(db) < 0) return DB_FAIL;
  t = PQtransactionStatus(pg->c);
  pg->inTx = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
  return 0;
}

/* The outcome of a result: 0 fine, else DB_BUSY (a lost connection, or a
** failure that running the transaction again may cure) or DB_FAIL, with
** db->err set. */
static int outcome(Db *db, PGresult *r) {
  ExecStatusType s = PQresultStatus(r);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return 0;
  if (PQstatus(db->pg->c) == CONNECTION_BAD) return lost(db, r ? PQresultErrorMessage(r) : PQerrorMessage(db->pg->c));
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  firstLine(db->err, sizeof db->err, r ? PQresultErrorMessage(r) : PQerrorMessage(db->pg->c));
  if (!db->err[0]) firstLine(db->err, sizeof db->err, PQerrorMessage(db->pg->c));
  static const char *const retry[] = { "40001", "40P01", "57014", "55P03" };
  int busy = state && !strncmp(state, "08", 2);
  for (size_t i = 0; state && i < sizeof retry / sizeof *retry; i++) busy |= !strcmp(state, retry[i]);
  db->retryable = busy;
  return busy ? DB_BUSY : DB_FAIL;
}

int campDbPgExec(Db *db, const char *sql) {
  int rc = ready(db, sql);
  if (rc) return rc == ANSWERED ? 0 : -1;
  PGresult *r = PQexec(db->pg->c, sql);
  rc = outcome(db, r);
  if (rc == 0) db->pg->changes = strtoll(PQcmdTuples(r), NULL, 10);
  PQclear(r);
  return rc ? -1 : 0;
}

int campDbPgInTransaction(Db *db) {
  if (db->pg->txLost) return 0;
  PGTransactionStatusType t = PQtransactionStatus(db->pg->c);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

int64_t campDbPgChanges(Db *db) { return db->pg->changes; }

/* sql with '?' and '?N' as $N, outside quotes and comments, numbered as
** SQLite numbers them: a bare '?' is one more than the highest number
** before it ("?, ?2, ?" is $1, $2, $3); *nparam: the highest number.
** malloc'd. */
static char *dollars(const char *sql, int *nparam) {
  size_t n = strlen(sql);
  char *out = malloc(n * 4 + 1), *w = out;   /* '?' -> '$NNN' at most */
  if (!out) return NULL;
  int max = 0;
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
      else k = max + 1;
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
  struct PgConn *pg = st->db->pg;
  if (p->gen == pg->gen && !pg->inCopy && PQstatus(pg->c) == CONNECTION_OK && PQtransactionStatus(pg->c) != PQTRANS_INERROR) {
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
  int rc = ready(db, p->sql);
  if (rc == ANSWERED) { p->ran = 1; p->row = p->nrow = 0; return DB_DONE; }
  if (rc) return rc;
  if (p->gen != db->pg->gen) {            /* never prepared on this connection */
    PGresult *r = PQprepare(db->pg->c, p->name, p->sql, p->nparam, NULL);
    rc = outcome(db, r);
    PQclear(r);
    if (rc) return rc;
    p->gen = db->pg->gen;
  }
  p->res = PQexecPrepared(db->pg->c, p->name, p->nparam, (const char *const *)p->val, p->len, p->fmt, 0);
  rc = outcome(db, p->res);
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

/* -- COPY ---------------------------------------------------------------------- */

int campDbPgCopyBegin(DbCopy *c, const char *sql) {
  Db *db = c->db;
  if (ready(db, sql)) return -1;            /* never ANSWERED: that is a ROLLBACK's */
  PGresult *r = PQexec(db->pg->c, sql);
  if (PQresultStatus(r) == PGRES_COPY_IN) { PQclear(r); db->pg->inCopy = 1; return 0; }
  if (!outcome(db, r)) snprintf(db->err, sizeof db->err, "'%s' did not start a copy", sql);
  PQclear(r);
  return -1;
}

/* Send what is waiting; 0, or -1 with db->err set. */
static int copySend(DbCopy *c) {
  if (!c->n) return 0;
  if (PQputCopyData(c->db->pg->c, c->buf, (int)c->n) != 1) {
    if (PQstatus(c->db->pg->c) == CONNECTION_BAD) lost(c->db, PQerrorMessage(c->db->pg->c));
    else { firstLine(c->db->err, sizeof c->db->err, PQerrorMessage(c->db->pg->c)); c->db->retryable = 0; }
    return -1;
  }
  c->n = 0;
  return 0;
}

/* One row in COPY's text format: values between tabs, \N for null, a
** backslash, tab, line feed or carriage return in a value escaped. */
int campDbPgCopyRow(DbCopy *c, const char *const *values) {
  size_t need = 0;
  for (int i = 0; i < c->ncol; i++) need += values[i] ? 2 * strlen(values[i]) + 1 : 3;
  if (c->n + need + 1 > c->cap) {
    size_t cap = c->cap ? c->cap : COPY_CHUNK + 1024;
    while (c->n + need + 1 > cap) cap *= 2;
    char *b = realloc(c->buf, cap);
    if (!b) { snprintf(c->db->err, sizeof c->db->err, "out of memory"); c->db->retryable = 0; return -1; }
    c->buf = b;
    c->cap = cap;
  }
  char *w = c->buf + c->n;
  for (int i = 0; i < c->ncol; i++) {
    if (i) *w++ = '\t';
    if (!values[i]) { memcpy(w, "\\N", 2); w += 2; continue; }
    for (const char *v = values[i]; *v; v++) {
      switch (*v) {
      case '\\': *w++ = '\\'; *w++ = '\\'; break;
      case '\t': *w++ = '\\'; *w++ = 't'; break;
      case '\n': *w++ = '\\'; *w++ = 'n'; break;
      case '\r': *w++ = '\\'; *w++ = 'r'; break;
      default: *w++ = *v;
      }
    }
  }
  *w++ = '\n';
  c->n = (size_t)(w - c->buf);
  c->rows++;
  return c->n >= COPY_CHUNK ? copySend(c) : 0;
}

long campDbPgCopyEnd(DbCopy *c) {
  Db *db = c->db;
  PGconn *pc = db->pg->c;
  int failed = c->failed || copySend(c) < 0;
  char before[sizeof db->err];
  snprintf(before, sizeof before, "%s", db->err);
  long rows = -1;
  if (PQputCopyEnd(pc, failed ? "the copy was abandoned" : NULL) == 1) {
    PGresult *r = PQgetResult(pc);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) rows = strtol(PQcmdTuples(r), NULL, 10);
    else if (!failed) {
      outcome(db, r);
      const char *where = PQresultErrorField(r, PG_DIAG_CONTEXT);
      char line[200];
      firstLine(line, sizeof line, where);
      size_t n = strlen(db->err);
      if (*line && n + 4 < sizeof db->err) snprintf(db->err + n, sizeof db->err - n, " (%s)", line);
    }
    PQclear(r);
    while ((r = PQgetResult(pc))) PQclear(r);
  } else if (!failed) {
    if (PQstatus(pc) == CONNECTION_BAD) lost(db, PQerrorMessage(pc));
    else firstLine(db->err, sizeof db->err, PQerrorMessage(pc));
  }
  db->pg->inCopy = 0;
  if (failed) snprintf(db->err, sizeof db->err, "%s", before);
  if (failed || rows < 0) return -1;
  db->pg->changes = rows;
  return rows;
}

/* -- LISTEN, NOTIFY and the wait ------------------------------------------------- */

int campDbPgListen(Db *db, const char *channel) {
  struct PgConn *pg = db->pg;
  for (int i = 0; i < pg->nchannel; i++) if (!strcmp(pg->channels[i], channel)) return 0;
  char *q = campDbQuoteName(channel), *sql = NULL, *keep = strdup(channel);
  char **more = realloc(pg->channels, (size_t)(pg->nchannel + 1) * sizeof *more);
  if (more) pg->channels = more;
  if (!q || !keep || !more || asprintf(&sql, "LISTEN %s", q) < 0) {
    free(q); free(keep);
    snprintf(db->err, sizeof db->err, "out of memory");
    return -1;
  }
  int rc = campDbPgExec(db, sql);
  free(q);
  free(sql);
  if (rc == 0) pg->channels[pg->nchannel++] = keep;
  else free(keep);
  return rc;
}

int campDbPgNotify(Db *db, const char *channel, const char *payload) {
  int rc = ready(db, "SELECT pg_notify");
  if (rc) return -1;
  const char *vals[] = { channel, payload ? payload : "" };
  PGresult *r = PQexecParams(db->pg->c, "SELECT pg_notify($1, $2)", 2, NULL, vals, NULL, NULL, 0);
  rc = outcome(db, r);
  PQclear(r);
  return rc ? -1 : 0;
}

/* Take every notification waiting; 1 when there was one. */
static int drain(PGconn *c) {
  int got = 0;
  for (PGnotify *n; (n = PQnotifies(c)); got = 1) PQfreemem(n);
  return got;
}

int campDbPgWait(Db *db, int timeoutMs) {
  struct PgConn *pg = db->pg;
  if (ready(db, NULL)) return -1;
  double deadline = now() + timeoutMs / 1000.0;
  for (;;) {
    int got = drain(pg->c);
    if (pg->missed) { pg->missed = 0; got = 1; }
    if (got) return 1;
    double left = deadline - now();   /* past it: one more look at what already came */
    struct pollfd fd = { PQsocket(pg->c), POLLIN, 0 };
    int n = poll(&fd, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
    if (n < 0 && errno != EINTR) { snprintf(db->err, sizeof db->err, "waiting for PostgreSQL: %s", strerror(errno)); return -1; }
    if (n == 0 && left <= 0) return 0;
    if (n > 0 && !PQconsumeInput(pg->c)) {
      if (PQstatus(pg->c) != CONNECTION_BAD) { firstLine(db->err, sizeof db->err, PQerrorMessage(pg->c)); return -1; }
      if (reconnect(db) < 0) return -1;     /* sets missed: the next turn says 1 */
    }
  }
}
