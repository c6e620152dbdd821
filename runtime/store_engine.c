/*
** runtime/store_engine.c -- the campaign database on SQLite: the file, its
** schema, its statements and the programs deployed in it.
**
** Owns: opening and migrating the SQLite file (WAL, schema version in
** user_version), the database's secret, the simulated clock, the statement
** cache and bound statements (campStoreRun), quoting identifiers, the
** cache of deployed campaign versions and loading a record into the
** values the VM reads.  Does not own: the verbs on traces and participants
** (store_trace.c), record writes (store_record.c), events, reports,
** deploy, import, suppression, runners (their store_*.c), or any policy
** (the scheduler, sched*.c, through store.h).
*/
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <jansson.h>
#include "runtime/clock.h"
#include "runtime/store_db_int.h"
#include "runtime/store_engine.h"



static const char *const schema1 =
  "CREATE TABLE camp_meta(key TEXT PRIMARY KEY, value);"
  "CREATE TABLE camp_model(model TEXT NOT NULL, field TEXT NOT NULL, type INTEGER NOT NULL, PRIMARY KEY(model, field));"
  "CREATE TABLE camp_campaign(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, title TEXT, model TEXT NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'draft', version INTEGER NOT NULL, last_sync INTEGER);"
  "CREATE TABLE camp_version(campaign INTEGER NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL,"
  "  image BLOB NOT NULL, deployed_at INTEGER NOT NULL, PRIMARY KEY(campaign, version));"
  "CREATE TABLE camp_activity(id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL, name TEXT NOT NULL,"
  "  kind INTEGER NOT NULL, idx INTEGER NOT NULL, UNIQUE(campaign, name));"
  "CREATE TABLE camp_participant(id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL, record_id INTEGER NOT NULL,"
  "  state TEXT NOT NULL, test INTEGER NOT NULL DEFAULT 0, unique_value TEXT, enrolled_at INTEGER NOT NULL,"
  "  UNIQUE(campaign, record_id, test));"
  "CREATE INDEX camp_participant_unique ON camp_participant(campaign, unique_value);"
  "CREATE INDEX camp_participant_state ON camp_participant(campaign, state);"
  "CREATE TABLE camp_trace(id INTEGER PRIMARY KEY, participant INTEGER NOT NULL, activity INTEGER NOT NULL,"
  "  parent INTEGER, state INTEGER NOT NULL, due INTEGER, base INTEGER, message_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,"
  "  events INTEGER NOT NULL DEFAULT 0, message TEXT, done_at INTEGER);"
  "CREATE INDEX camp_trace_due ON camp_trace(state, due);"
  "CREATE INDEX camp_trace_participant ON camp_trace(participant);"
  "CREATE INDEX camp_trace_message ON camp_trace(message_id) WHERE message_id IS NOT NULL;"
  "CREATE TABLE camp_event(id INTEGER PRIMARY KEY, trace INTEGER NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, url TEXT);"
  "CREATE INDEX camp_event_trace ON camp_event(trace);"
  "CREATE TABLE camp_link(trace INTEGER NOT NULL, idx INTEGER NOT NULL, url TEXT NOT NULL, PRIMARY KEY(trace, idx));"
  "CREATE TABLE camp_suppression(address TEXT PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL);"
  "CREATE TABLE camp_list_member(list TEXT NOT NULL, model TEXT NOT NULL, record_id INTEGER NOT NULL,"
  "  PRIMARY KEY(list, model, record_id));"
  "CREATE TABLE camp_note(id INTEGER PRIMARY KEY, model TEXT NOT NULL, record_id INTEGER NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);";

/* Version 2: only pending traces are in the (state, due) index, so a trace
** that finishes leaves it instead of moving inside it; events find their
** trace by the id inside the Message-ID (no index on message_id); a
** message's link targets live on its trace (one per line, in link-index
** order), written by the claim itself; a campaign row may be a mailing
** (kind 'mailing', sent once at `at`); participants are indexed by unique
** value only where they have one, and not by state (reports scan a
** campaign's participants through (campaign, record_id, test)). */
static const char *const schema2 =
  "DROP INDEX camp_trace_message;"
  "DROP INDEX camp_trace_due;"
  "CREATE INDEX camp_trace_due ON camp_trace(state, due) WHERE (state <= 1 OR state = 6);"
  "DROP INDEX camp_participant_state;"
  "DROP INDEX camp_participant_unique;"
  "CREATE INDEX camp_participant_unique ON camp_participant(campaign, unique_value) WHERE unique_value IS NOT NULL;"
  "ALTER TABLE camp_trace ADD COLUMN links TEXT;"
  "ALTER TABLE camp_campaign ADD COLUMN kind TEXT NOT NULL DEFAULT 'campaign';"
  "ALTER TABLE camp_campaign ADD COLUMN at INTEGER;"
  "UPDATE camp_trace SET links = (SELECT group_concat(url || char(10), '') FROM (SELECT url FROM camp_link "
  "  WHERE trace = camp_trace.id ORDER BY idx)) WHERE id IN (SELECT trace FROM camp_link);"
  "DROP TABLE camp_link;";

/* Version 3: a message's link targets are kept once per distinct list in
** camp_linkset (the messages of an activity mostly share theirs), and its
** trace points at the list: trace rows no longer carry their links' text. */
static const char *const schema3 =
  "CREATE TABLE camp_linkset(id INTEGER PRIMARY KEY, links TEXT NOT NULL UNIQUE);"
  "INSERT OR IGNORE INTO camp_linkset(links) SELECT links FROM camp_trace WHERE links IS NOT NULL ORDER BY id;"
  "ALTER TABLE camp_trace ADD COLUMN linkset INTEGER;"
  "UPDATE camp_trace SET linkset = (SELECT s.id FROM camp_linkset s WHERE s.links = camp_trace.links) WHERE links IS NOT NULL;"
  "ALTER TABLE camp_trace DROP COLUMN links;";

/* Version 4 (safety): a claim has an owner (camp_runner: one row per
** process that claims work, with its host, pid and a heartbeat) so that a
** second runner never takes a live runner's sends; suppression is per
** channel ('email' or 'sms') and address; repeated events of one kind on
** one trace are counted on their first row instead of stored each;
** provider webhook event ids are recorded once (replays are refused); a
** webhook() action's request waits in camp_outbox until it is POSTed after
** the commit that claimed it. */
static const char *const schema4 =
  "ALTER TABLE camp_trace ADD COLUMN owner INTEGER;"
  "CREATE TABLE camp_runner(id INTEGER PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, proc_start TEXT NOT NULL,"
  "  command TEXT NOT NULL, started_at INTEGER NOT NULL, heartbeat INTEGER NOT NULL);"
  "CREATE TABLE camp_outbox(trace INTEGER NOT NULL, idx INTEGER NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,"
  "  PRIMARY KEY(trace, idx));"
  "CREATE TABLE camp_suppression4(channel TEXT NOT NULL, address TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,"
  "  PRIMARY KEY(channel, address));"
  "INSERT OR IGNORE INTO camp_suppression4(channel, address, reason, at)"
  "  SELECT CASE WHEN instr(address, '@') THEN 'email' ELSE 'sms' END, address, reason, at FROM camp_suppression;"
  "DROP TABLE camp_suppression;"
  "ALTER TABLE camp_suppression4 RENAME TO camp_suppression;"
  "ALTER TABLE camp_event ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE camp_hook_event(id TEXT PRIMARY KEY, at INTEGER NOT NULL);";

/* Version 5: the source of each deployed version as `camp fmt` prints it,
** property by property (activity '' for the campaign's own), for plan to
** show what changed; versions deployed before it have none. */
static const char *const schema5 =
  "CREATE TABLE camp_source(campaign INTEGER NOT NULL, version INTEGER NOT NULL, activity TEXT NOT NULL,"
  "  field TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY(campaign, version, activity, field));";

/* Version 6: Oro's marketing (docs/RUNTIME.md).  Deployed images are kept
** once by hash (camp_image) for what outlives a campaign version: a list is
** its own object (kind, keep_contacted, the image its filter is in and the
** filter's text, when it was last refreshed); a list member row is a manual member or one of an
** on-demand snapshot (member = 1), or only carries a dynamic member's
** overlays (member = 0): when it joined, how often and when last it was
** contacted through the list, and when it was unsubscribed from or removed
** from the list (NULL: not); every change to a list is logged with its
** time; an initiative (Oro's marketing campaign) has its code, period,
** budget in hundredths and scale, and every code it ever had stays in
** camp_code (until: when it stopped being current); a campaign names its
** initiative. */
static const char *const schema6 =
  "CREATE TABLE camp_image(hash TEXT PRIMARY KEY, image BLOB NOT NULL);"
  "CREATE TABLE camp_list(name TEXT PRIMARY KEY, title TEXT NOT NULL, model TEXT NOT NULL, kind TEXT NOT NULL,"
  "  keep_contacted INTEGER NOT NULL, image TEXT NOT NULL, deployed_at INTEGER NOT NULL, refreshed_at INTEGER, filter TEXT);"
  "ALTER TABLE camp_list_member ADD COLUMN member INTEGER NOT NULL DEFAULT 1;"
  "ALTER TABLE camp_list_member ADD COLUMN joined_at INTEGER;"
  "ALTER TABLE camp_list_member ADD COLUMN contacted INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE camp_list_member ADD COLUMN last_contacted INTEGER;"
  "ALTER TABLE camp_list_member ADD COLUMN unsubscribed_at INTEGER;"
  "ALTER TABLE camp_list_member ADD COLUMN removed_at INTEGER;"
  "CREATE TABLE camp_list_log(id INTEGER PRIMARY KEY, list TEXT NOT NULL, record_id INTEGER, action TEXT NOT NULL,"
  "  at INTEGER NOT NULL, detail TEXT);"
  "CREATE INDEX camp_list_log_list ON camp_list_log(list, at);"
  "CREATE TABLE camp_initiative(name TEXT PRIMARY KEY, title TEXT NOT NULL, code TEXT NOT NULL, start_at INTEGER,"
  "  end_at INTEGER, budget INTEGER, currency TEXT, description TEXT, scale TEXT NOT NULL, deployed_at INTEGER NOT NULL);"
  "CREATE TABLE camp_code(code TEXT PRIMARY KEY, initiative TEXT NOT NULL, since INTEGER NOT NULL, until INTEGER);"
  "ALTER TABLE camp_campaign ADD COLUMN initiative TEXT;";

/* Version 7: website tracking (docs/RUNTIME.md, "Websites").  A deployed
** website (camp_website) has its unique site_id (Matomo's idsite), URL,
** contacts' model and trusted user-id field (identify, NULL: none), default
** code and initiative, link_token, and goals (event names, one per line).
** Every accepted hit is a camp_hit row: its site_id, time, visitor id
** (`_id`), the contact it resolved to (model, record_id; NULL: anonymous),
** URL, title, referrer, event name ('visit' for a page view) with category,
** action and value, the campaign code, UTM source and medium, keyword, the
** anonymised IP, user agent and its class ('desktop', 'mobile', 'bot'),
** and the visit it was grouped into (NULL: not yet).  A visit groups one
** (site, visitor, contact) key's hits with a 30-minute inactivity cut. */
static const char *const schema7 =
  "CREATE TABLE camp_website(name TEXT PRIMARY KEY, title TEXT NOT NULL, site_id TEXT NOT NULL UNIQUE, url TEXT NOT NULL,"
  "  model TEXT, identify TEXT, code TEXT, initiative TEXT, link_token INTEGER NOT NULL, goals TEXT NOT NULL,"
  "  deployed_at INTEGER NOT NULL);"
  "CREATE TABLE camp_hit(id INTEGER PRIMARY KEY, site TEXT NOT NULL, at INTEGER NOT NULL, visitor TEXT, model TEXT,"
  "  record_id INTEGER, url TEXT, title TEXT, referrer TEXT, name TEXT NOT NULL, category TEXT, action TEXT,"
  "  value REAL NOT NULL, code TEXT, source TEXT, medium TEXT, keyword TEXT, ip TEXT, ua TEXT, ua_class TEXT NOT NULL,"
  "  visit INTEGER);"
  "CREATE INDEX camp_hit_ungrouped ON camp_hit(site, visitor, record_id, at) WHERE visit IS NULL;"
  "CREATE INDEX camp_hit_visit ON camp_hit(visit) WHERE visit IS NOT NULL;"
  "CREATE INDEX camp_hit_record ON camp_hit(model, record_id) WHERE record_id IS NOT NULL;"
  "CREATE TABLE camp_visit(id INTEGER PRIMARY KEY, site TEXT NOT NULL, visitor TEXT, model TEXT, record_id INTEGER,"
  "  first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, pages INTEGER NOT NULL DEFAULT 0,"
  "  events INTEGER NOT NULL DEFAULT 0, referrer TEXT, code TEXT, source TEXT, medium TEXT, ip TEXT,"
  "  ua_class TEXT NOT NULL, bot INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX camp_visit_key ON camp_visit(site, visitor, record_id, last_at);"
  "CREATE INDEX camp_visit_record ON camp_visit(model, record_id) WHERE record_id IS NOT NULL;"
  "CREATE INDEX camp_visit_code ON camp_visit(code, first_at);";

/* Version 8: ESP syncs (docs/SYNC.md).  A deployed sync (camp_sync) keeps
** its list, provider ('mailchimp', 'dotdigital'), audience id or address
** book name (remote), Mailchimp segment name, period in seconds (every, 0:
** only by camp sync), its field mappings as text ("TAG = field" lines, for
** plan) and the image they are compiled in (camp_image hash); what camp
** learnt of the provider: the segment's or address book's id (remote_id),
** when it last ran and how that ended (last_error NULL: it succeeded).
** camp_sync_cursor keeps each sync's resumable positions (key: what is
** being read, e.g. 'members', 'campaigns', 'activity:<esp id>'; value: an
** ISO time or an offset, the driver's to read).  camp_sync_seen keeps the
** keys of imported activity a provider reports as deltas, so the same
** activity imported twice counts once.  A campaign row names its transport
** (NULL: camp's own channels; 'mailchimp', 'dotdigital') and the ESP's id
** of it (a mailing sent via, or imported from, an ESP). */
static const char *const schema8 =
  "CREATE TABLE camp_sync(name TEXT PRIMARY KEY, title TEXT NOT NULL, list TEXT NOT NULL, esp TEXT NOT NULL,"
  "  remote TEXT NOT NULL, segment TEXT, every INTEGER NOT NULL, fields TEXT NOT NULL, image TEXT NOT NULL,"
  "  deployed_at INTEGER NOT NULL, remote_id TEXT, last_run INTEGER, last_error TEXT);"
  "CREATE TABLE camp_sync_cursor(sync TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(sync, key));"
  "CREATE TABLE camp_sync_seen(sync TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY(sync, key)) WITHOUT ROWID;"
  "ALTER TABLE camp_campaign ADD COLUMN transport TEXT;"
  "ALTER TABLE camp_campaign ADD COLUMN esp_id TEXT;"
  "CREATE UNIQUE INDEX camp_campaign_esp ON camp_campaign(transport, esp_id) WHERE esp_id IS NOT NULL;";

/* Version 9: timing rules (docs/RUNTIME.md "Timing").  A trace held for a
** send window or a frequency cap keeps its first due time in due0 (what
** `expire` counts from; NULL: never held); a branch node's trace records
** the path it took, and an A/B test's winner the variant it sent, in path.
** camp_send_log holds one row per message claimed (but `cap exempt` and
** test ones: runtime/store_cap.c), keyed by its contact (the address, lower case), inserted in the
** transaction that claims the send, so two runners cannot both pass under
** a cap.  The database's default zone, windows and caps are camp_meta keys
** (timezone, window.email, window.sms, cap.email, cap.sms). */
static const char *const schema9 =
  "ALTER TABLE camp_trace ADD COLUMN due0 INTEGER;"
  "ALTER TABLE camp_trace ADD COLUMN path INTEGER;"
  "CREATE TABLE camp_send_log(id INTEGER PRIMARY KEY, channel INTEGER NOT NULL, contact TEXT NOT NULL, at INTEGER NOT NULL,"
  "  campaign INTEGER NOT NULL, trace INTEGER NOT NULL);"
  "CREATE INDEX camp_send_log_contact ON camp_send_log(channel, contact, at);";

/* Migrations: index i brings user_version i to i + 1. */
static const char *const migrations[] = { schema1, schema2, schema3, schema4, schema5, schema6, schema7, schema8, schema9 };

int campStoreExec(Engine *e, const char *sql, char *err, size_t errSize) { return campDbExec(e->conn, sql, err, errSize); }

int campStoreConnError(Engine *e, char *err, size_t errSize) {
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}

DbStmt *campStoreDbStmt(Engine *e, const char *sql, char *err, size_t errSize) {
  for (int i = 0; i < e->ndbstmt; i++)   /* most callers pass literals: try the pointer before hashing */
    if (e->dbstmts[i].key == sql && !strcmp(e->dbstmts[i].sql, sql)) {
      campDbReset(e->dbstmts[i].st);
      campDbClearBindings(e->dbstmts[i].st);
      return e->dbstmts[i].st;
    }
  uint32_t h = campHashFnv1a(sql, strlen(sql));
  for (int i = 0; i < e->ndbstmt; i++)
    if (e->dbstmts[i].hash == h && !strcmp(e->dbstmts[i].sql, sql)) {
      campDbReset(e->dbstmts[i].st);
      campDbClearBindings(e->dbstmts[i].st);
      return e->dbstmts[i].st;
    }
  DbStmt *st = campDbPrepare(e->conn, sql, err, errSize);
  if (!st) return NULL;
  if (e->ndbstmt == (int)(sizeof e->dbstmts / sizeof e->dbstmts[0])) {   /* full: drop the oldest */
    campDbFinalize(e->dbstmts[0].st);
    free(e->dbstmts[0].sql);
    memmove(e->dbstmts, e->dbstmts + 1, (size_t)(--e->ndbstmt) * sizeof e->dbstmts[0]);
  }
  e->dbstmts[e->ndbstmt].hash = h;
  e->dbstmts[e->ndbstmt].key = sql;
  e->dbstmts[e->ndbstmt].sql = strdup(sql);
  e->dbstmts[e->ndbstmt++].st = st;
  return st;
}

/* The cached statement for sql with its values bound from ap by kinds. */
static DbStmt *dbBound(Engine *e, const char *sql, const char *kinds, va_list ap) {
  char ign_[160];
  DbStmt *s = campStoreDbStmt(e, sql, ign_, sizeof ign_);
  if (!s) return NULL;
  for (int i = 0; kinds[i]; i++) {
    if (kinds[i] == 'i') campDbBindInt64(s, i + 1, va_arg(ap, int64_t));
    else if (kinds[i] == 't') campDbBindText(s, i + 1, va_arg(ap, const char *), -1);   /* NULL binds null */
  }
  return s;
}

int campStoreDbRun(Engine *e, const char *sql, const char *kinds, ...) {
  va_list ap;
  va_start(ap, kinds);
  DbStmt *s = dbBound(e, sql, kinds, ap);
  va_end(ap);
  if (!s) return -1;
  int rc = campDbStep(s);      /* a row is fine: SELECT pg_advisory_xact_lock(...) */
  campDbReset(s);
  return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

int64_t campStoreDbInsertId(Engine *e, const char *sql, const char *kinds, ...) {
  va_list ap;
  va_start(ap, kinds);
  DbStmt *s = dbBound(e, sql, kinds, ap);
  va_end(ap);
  if (!s) return -1;
  int rc = campDbStep(s);
  int64_t id = rc == DB_ROW ? campDbColumnInt64(s, 0) : -1;
  campDbReset(s);
  return id;
}

void campStoreIdentPut(Buf *b, const char *name) {
  campBufPut(b, "\"", 1);
  for (const char *p = name, *q; *p; p = q) {
    q = strchr(p, '"');
    if (!q) { campBufPuts(b, p); break; }
    campBufPut(b, p, (size_t)(++q - p));     /* up to and with the quote, */
    campBufPut(b, "\"", 1);                 /* which is doubled */
  }
  campBufPut(b, "\"", 1);
}

/* 1 and *v when camp_meta has key, 0 when not, -1 when it cannot be read. */
static int metaGet(Engine *e, const char *key, int64_t *v) {
  char ign_[160];
  DbStmt *st = campStoreDbStmt(e, "SELECT value FROM camp_meta WHERE key = ?", ign_, sizeof ign_);
  if (!st) return -1;
  campDbBindText(st, 1, key, -1);
  int rc = campDbStep(st), found = 0;
  if (rc == DB_ROW && campDbColumnType(st, 0) != DB_NULL) { *v = campDbColumnInt64(st, 0); found = 1; }
  else if (rc != DB_ROW && rc != DB_DONE) found = -1;
  campDbReset(st);
  return found;
}

int campStoreSetClock(Engine *e, int64_t t) {
  /* its own write transaction when outside one: an autocommit write whose
  ** snapshot another runner made stale fails without the busy handler */
  int own = !campDbInTransaction(e->conn);
  if (own && campStoreBegin(e, 1, NULL, 0) < 0) return -1;
  /* runners sharing a simulated clock only ever move it forward */
  int rc = campStoreDbRun(e, "INSERT INTO camp_meta(key, value) VALUES('clock', ?1) ON CONFLICT(key) DO UPDATE SET value = "
                          "CASE WHEN CAST(camp_meta.value AS BIGINT) > CAST(excluded.value AS BIGINT) THEN camp_meta.value "
                          "ELSE excluded.value END", "i", t);
  if (own && rc == 0) rc = campStoreCommit(e, NULL, 0);
  if (own && rc < 0) campStoreRollback(e);
  if (rc == 0) e->clock = t;
  return rc;
}

/* A new secret: 64 hex digits of OpenSSL's RAND_bytes. */
static int newSecret(char hex[65], char *err, size_t errSize) {
  uint8_t raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) { snprintf(err, errSize, "cannot make a secret: OpenSSL has no randomness"); return -1; }
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", raw[i]);
  OPENSSL_cleanse(raw, sizeof raw);
  return 0;
}

/* The database's own secret (camp_meta 'secret': 64 hex digits of
** OpenSSL's RAND_bytes), the key of its tracking tokens and Message-IDs.
** camp init makes it; a database from before secrets gets one on its
** first open.  Two processes opening such a file at once both INSERT OR
** IGNORE a candidate and read back the one that won, so they agree.
** -1 with a message in err when no secret can be made or stored. */
static int loadSecret(Engine *e, char *err, size_t errSize) {
  int got = campStoreMetaText(e, "secret", e->secret, sizeof e->secret);
  if (got < 0) { snprintf(err, errSize, "cannot read the database's secret: %s", campDbError(e->conn)); return -1; }
  if (got && strlen(e->secret) == 64) return 0;
  char hex[65];
  if (newSecret(hex, err, errSize) < 0) return -1;
  int rc = campStoreDbRun(e, "INSERT INTO camp_meta(key, value) VALUES('secret', ?) ON CONFLICT(key) DO NOTHING", "t", hex);
  OPENSSL_cleanse(hex, sizeof hex);
  if (rc < 0 || campStoreMetaText(e, "secret", e->secret, sizeof e->secret) != 1 || strlen(e->secret) != 64) {
    snprintf(err, errSize, "cannot store the database's secret: %s", campDbError(e->conn));
    return -1;
  }
  return 0;
}

const char *campEngineSecret(Engine *e) { return e->secret; }
const char *campEngineName(Engine *e) { return campDbName(e->conn); }

/* The secrets rotated out (camp_meta 'secret_previous', comma-separated,
** oldest first), read when asked: only the tracking server needs them. */
int campEngineSecretsPrevious(Engine *e, char **out, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT coalesce((SELECT value FROM camp_meta WHERE key = 'secret_previous'), '')", err, errSize);
  if (!st) return -1;
  int rc = campDbStep(st) == DB_ROW ? 0 : -1;
  *out = rc == 0 ? strdup(campDbColumnText(st, 0)) : NULL;
  if (rc < 0) campStoreConnError(e, err, errSize);
  else if (!*out) { snprintf(err, errSize, "out of memory"); rc = -1; }
  campDbReset(st);
  return rc;
}

int campEngineSecretRotate(Engine *e, int retire, char *err, size_t errSize) {
  err[0] = 0;
  if (retire) return campStoreExec(e, "DELETE FROM camp_meta WHERE key = 'secret_previous'", err, errSize);
  char hex[65];
  if (newSecret(hex, err, errSize) < 0) return -1;
  /* the current secret (whatever another process made it) joins the
  ** previous ones, and the new one takes its place, in one transaction */
  int rc = campStoreBegin(e, 1, err, errSize);
  if (rc == 0) rc = campStoreDbRun(e,
    "INSERT INTO camp_meta(key, value) SELECT 'secret_previous', value FROM camp_meta WHERE key = 'secret' "
    " ON CONFLICT(key) DO UPDATE SET value = camp_meta.value || ',' || excluded.value", "");
  if (rc == 0) rc = campStoreDbRun(e, "UPDATE camp_meta SET value = ? WHERE key = 'secret'", "t", hex);
  OPENSSL_cleanse(hex, sizeof hex);
  if (rc == 0 && campStoreCommit(e, err, errSize) == 0) return campStoreMetaText(e, "secret", e->secret, sizeof e->secret) == 1 ? 0 : -1;
  if (!err[0]) campStoreConnError(e, err, errSize);
  campStoreRollback(e);
  return -1;
}

/* SQLite's memory statistics take a global mutex on every allocation; camp
** never reads them.  sqlite3_config only works before SQLite initializes. */
static void configureSqlite(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

/* Why the database at path cannot be used, as the file system tells:
** missing (when not creating), a directory, or its directory missing, not a
** directory or not writable (SQLite keeps its -wal and -shm files beside
** the database, so even reading needs that).  Writes "cannot open|create
** database 'path': why" to err and returns 1; 0 when nothing is wrong. */
static int pathProblem(const char *path, int create, char *err, size_t errSize) {
  struct stat sb;
  const char *what = create ? "create" : "open";
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) { snprintf(err, errSize, "cannot %s database '%s': it is a directory", what, path); return 1; }
  char *copy = strdup(path);
  if (!copy) return 0;
  const char *dir = dirname(copy);
  int rc = 1;
  if (stat(dir, &sb) < 0)
    snprintf(err, errSize, "cannot %s database '%s': directory '%s' %s", what, path, dir, errno == ENOENT ? "does not exist" : strerror(errno));
  else if (!S_ISDIR(sb.st_mode)) snprintf(err, errSize, "cannot %s database '%s': '%s' is not a directory", what, path, dir);
  else if (access(dir, W_OK | X_OK) < 0)
    snprintf(err, errSize, "cannot %s database '%s': directory '%s' is not writable (%s; SQLite keeps its -wal and -shm files there)",
             what, path, dir, strerror(errno));
  else rc = 0;
  free(copy);
  return rc;
}

/* Close e after a failed open, with the file system's reason in err when
** there is one (else err as the caller wrote it). */
static Engine *openFailed(Engine *e, const char *path, int create, char *err, size_t errSize) {
  pathProblem(path, create, err, errSize);
  campEngineClose(e);
  return NULL;
}

/* The end of an open: the database's secret and clock read into e. */
static Engine *openSecretAndClock(Engine *e, const char *name, char *err, size_t errSize) {
  if (!e->vm) { snprintf(err, errSize, "out of memory"); campEngineClose(e); return NULL; }
  if (loadSecret(e, err, errSize) < 0) {
    campEngineClose(e);
    return NULL;
  }
  if ((e->simulated = metaGet(e, "clock", &e->clock)) < 0) {
    snprintf(err, errSize, "database '%s': %s", name, campDbError(e->conn));
    campEngineClose(e);
    return NULL;
  }
  return e;
}

/* A new Engine on the SQLite handle e->db (already open), or NULL. */
static int wrapSqlite(Engine *e, const char *path) {
  campStoreBusyInit(e);
  e->vm = campVmNew();
  return (e->conn = campDbWrapSqlite(e->db, path)) ? 0 : -1;
}

/* PostgreSQL: the store's tables in the URL's database (its current
** schema), their version in camp_meta 'schema' (SQLite keeps it in
** user_version).  camp init creates them in an empty database. */
static Engine *openPostgres(const char *url, int create, int64_t clock, char *err, size_t errSize) {
  Engine *e = calloc(1, sizeof *e);
  if (!e || !(e->target = strdup(url))) { free(e); snprintf(err, errSize, "out of memory"); return NULL; }
  if (!(e->conn = campDbOpen(url, create, err, errSize))) { free(e->target); free(e); return NULL; }
  e->vm = campVmNew();
  const char *name = campDbName(e->conn);
  DbStmt *st = campDbPrepare(e->conn, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                                      "AND table_name = 'camp_meta'", err, errSize);
  int has = st && campDbStep(st) == DB_ROW ? (int)campDbColumnInt64(st, 0) : -1;
  campDbFinalize(st);
  int64_t version = 0;
  if (has < 0 || (has && metaGet(e, "schema", &version) < 0)) {
    snprintf(err, errSize, "cannot open database '%s': %s", name, campDbError(e->conn));
  } else if (create && has) {
    snprintf(err, errSize, "'%s' already has a camp store; camp init only creates a new one (use it with --db, or give an empty database)", name);
  } else if (!create && !has) {
    snprintf(err, errSize, "'%s' is not a camp database (create it with camp init --db)", name);
  } else if (version > STORE_SCHEMA_VERSION) {
    snprintf(err, errSize, "database '%s' has schema version %lld; this camp knows up to %d", name, (long long)version, STORE_SCHEMA_VERSION);
  } else if (create && campStorePgCreate(e->conn, err, errSize) < 0) {
    /* err says why */
  } else if (create && clock != INT64_MIN && campStoreSetClock(e, clock) < 0) {
    snprintf(err, errSize, "database: %s", campDbError(e->conn));
  } else {
    return openSecretAndClock(e, name, err, errSize);
  }
  campEngineClose(e);
  return NULL;
}

Engine *campEngineOpen(const char *path, int create, int64_t clock, char *err, size_t errSize) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, configureSqlite);
  if (campDbIsUrl(path)) return openPostgres(path, create, clock, err, errSize);
  struct stat sb;
  int exists = stat(path, &sb) == 0;
  if (!exists && errno == ENOENT && !create) {
    snprintf(err, errSize, "database '%s' does not exist (create it with camp init)", path);
    return NULL;
  }
  if (exists && create && S_ISREG(sb.st_mode) && sb.st_size > 0) {    /* init never changes a database it did not create */
    snprintf(err, errSize, "'%s' already exists; camp init only creates a new database (use it with --db, or remove it first)", path);
    return NULL;
  }
  Engine *e = calloc(1, sizeof *e);
  if (!e || !(e->target = strdup(path))) { free(e); snprintf(err, errSize, "out of memory"); return NULL; }
  /* An Engine's connection is only ever used by one thread at a time (serve
  ** gives each thread its own), so SQLite need not lock it on every call. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path, &e->db, flags, NULL) != SQLITE_OK) {
    snprintf(err, errSize, "cannot %s database '%s': %s", create ? "create" : "open", path, e->db ? sqlite3_errmsg(e->db) : "out of memory");
    pathProblem(path, create, err, errSize);
    sqlite3_close(e->db);
    free(e->target);
    free(e);
    return NULL;
  }
  if (wrapSqlite(e, path) < 0) { snprintf(err, errSize, "out of memory"); campEngineClose(e); return NULL; }
  int64_t version = 0;
  DbStmt *st = campDbPrepare(e->conn, "PRAGMA user_version", NULL, 0);
  int vrc = st ? campDbStep(st) : DB_FAIL;
  if (vrc == DB_ROW) version = campDbColumnInt64(st, 0);
  campDbFinalize(st);
  if (vrc != DB_ROW) {      /* not readable: unwritable directory, not SQLite, damaged header */
    snprintf(err, errSize, "cannot %s database '%s': %s", create ? "create" : "open", path, sqlite3_errmsg(e->db));
    return openFailed(e, path, create, err, errSize);
  }
  if (create && version > 0) {
    snprintf(err, errSize, "'%s' already exists; camp init only creates a new database (use it with --db, or remove it first)", path);
    campEngineClose(e);
    return NULL;
  }
  if (version > STORE_SCHEMA_VERSION) {
    snprintf(err, errSize, "database '%s' has schema version %lld; this camp knows up to %d", path, (long long)version, STORE_SCHEMA_VERSION);
    campEngineClose(e);
    return NULL;
  }
  if (version == 0 && !create) {
    snprintf(err, errSize, "'%s' is not a camp database (create it with camp init)", path);
    campEngineClose(e);
    return NULL;
  }
  if (campStoreExec(e, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16384;", err, errSize) < 0)
    return openFailed(e, path, create, err, errSize);
  for (int64_t v = version; v < STORE_SCHEMA_VERSION; v++) {
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%lld;", (long long)v + 1);
    if (campStoreExec(e, "BEGIN IMMEDIATE", err, errSize) < 0) { campEngineClose(e); return NULL; }
    /* another process opening the same file may have migrated it meanwhile */
    int64_t now = v;
    if ((st = campDbPrepare(e->conn, "PRAGMA user_version", NULL, 0)) && campDbStep(st) == DB_ROW) now = campDbColumnInt64(st, 0);
    campDbFinalize(st);
    if ((now == v && (campStoreExec(e, migrations[v], err, errSize) < 0 || campStoreExec(e, sql, err, errSize) < 0)) ||
        campStoreExec(e, "COMMIT", err, errSize) < 0) {
      campDbExec(e->conn, "ROLLBACK", NULL, 0);
      return openFailed(e, path, create, err, errSize);
    }
  }
  if (create && clock != INT64_MIN && campStoreSetClock(e, clock) < 0) {
    snprintf(err, errSize, "database: %s", campDbError(e->conn));
    campEngineClose(e);
    return NULL;
  }
  return openSecretAndClock(e, path, err, errSize);
}

unsigned char *campStoreSnapshot(Engine *e, size_t *len) {
  sqlite3_int64 n = 0;
  unsigned char *db = sqlite3_serialize(e->db, "main", &n, 0);
  *len = db ? (size_t)n : 0;
  return db;
}

void campStoreSnapshotFree(unsigned char *db) { sqlite3_free(db); }

Engine *campEngineOpenSnapshot(const unsigned char *db, size_t len, char *err, size_t errSize) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, configureSqlite);
  Engine *e = calloc(1, sizeof *e);
  unsigned char *copy = sqlite3_malloc64(len);
  if (!e || !copy || sqlite3_open_v2(":memory:", &e->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    snprintf(err, errSize, "out of memory");
    sqlite3_free(copy);
    if (e) sqlite3_close(e->db);
    free(e);
    return NULL;
  }
  memcpy(copy, db, len);
  if (sqlite3_deserialize(e->db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK) {
    snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
    sqlite3_close(e->db);
    free(e);
    return NULL;
  }
  if (wrapSqlite(e, ":memory:") < 0) { snprintf(err, errSize, "out of memory"); campEngineClose(e); return NULL; }
  return openSecretAndClock(e, ":memory:", err, errSize);
}

void campEngineClose(Engine *e) {
  if (!e) return;
  campEngineClose(e->recorder);
  campStoreRunnerEnd(e);
  for (int i = 0; i < LINKSETS_SEEN; i++) free(e->linksets[i].links);
  for (int i = 0; i < e->ncache; i++) {
    campProgramFree(e->cache[i].p);
    free(e->cache[i].actId);
    campDbFinalize(e->loadRecord[i]);
  }
  for (int i = 0; i < MAX_FIELDS; i++) free(e->fieldText[i]);
  for (int i = 0; i < e->ndbstmt; i++) { campDbFinalize(e->dbstmts[i].st); free(e->dbstmts[i].sql); }
  campVmFree(e->vm);
  campDbClose(e->conn);
  sqlite3_close(e->db);
  free(e->target);
  OPENSSL_cleanse(e->secret, sizeof e->secret);
  free(e);
}

EngineWinner *campEngineWinner(Engine *e) { return &e->winner; }

int64_t campEngineNow(Engine *e) { return e->simulated ? e->clock : (int64_t)time(NULL); }
int campEngineIsSimulated(Engine *e) { return e->simulated; }
void campEngineRefreshClock(Engine *e) { if (e->simulated) metaGet(e, "clock", &e->clock); }

/* -- programs ------------------------------------------------------------- */

void campStoreForget(Engine *e, int64_t campaign) {
  for (int i = 0; i < e->ncache; i++)
    if (e->cache[i].campaign == campaign) {
      campProgramFree(e->cache[i].p);
      free(e->cache[i].actId);
      campDbFinalize(e->loadRecord[i]);
      e->cache[i] = e->cache[--e->ncache];
      e->loadRecord[i] = e->loadRecord[e->ncache];
      return;
    }
}

static int firstFieldOfType(const Program *p, uint32_t model, int type, const char *prefer) {
  const ProgModel *m = &p->models[model];
  for (uint32_t f = 1; f < m->nfield; f++)
    if (prefer && !strcmp(p->str[m->fields[f].name], prefer)) return (int)f;
  for (uint32_t f = 1; f < m->nfield; f++)
    if (type && m->fields[f].type == type) return (int)f;
  return -1;
}

const Loaded *campStoreLoaded(Engine *e, int64_t campaign, char *err, size_t errSize) {
  for (int i = 0; i < e->ncache; i++) {
    Loaded *c = &e->cache[i];
    if (c->campaign != campaign) continue;
    if (c->gen == e->gen) return c;
    DbStmt *v = campStoreDbStmt(e, "SELECT version FROM camp_campaign WHERE id = ?", err, errSize);
    if (!v) return NULL;
    campDbBindInt64(v, 1, campaign);
    if (campDbStep(v) == DB_ROW && campDbColumnInt64(v, 0) == c->version) { campDbReset(v); c->gen = e->gen; return c; }
    campDbReset(v);
    break;
  }
  DbStmt *st = campDbPrepare(e->conn,
    "SELECT c.name, c.version, v.image FROM camp_campaign c JOIN camp_version v ON v.campaign = c.id AND v.version = c.version"
    " WHERE c.id = ?", err, errSize);
  if (!st) return NULL;
  campDbBindInt64(st, 1, campaign);
  if (campDbStep(st) != DB_ROW) {
    snprintf(err, errSize, "campaign %lld has no deployed version", (long long)campaign);
    campDbFinalize(st);
    return NULL;
  }
  int version = (int)campDbColumnInt64(st, 1);
  for (int i = 0; i < e->ncache; i++)
    if (e->cache[i].campaign == campaign && e->cache[i].version == version) { campDbFinalize(st); e->cache[i].gen = e->gen; return &e->cache[i]; }
  campStoreForget(e, campaign);
  if (e->ncache == (int)(sizeof e->cache / sizeof e->cache[0])) campStoreForget(e, e->cache[0].campaign);
  Loaded *l = &e->cache[e->ncache];
  memset(l, 0, sizeof *l);
  char name[256];
  snprintf(name, sizeof name, "%s", campDbColumnText(st, 0));
  l->p = campProgramLoad(campDbColumnBlob(st, 2), (size_t)campDbColumnBytes(st, 2), err, errSize);
  campDbFinalize(st);
  if (!l->p) return NULL;
  l->campaign = campaign;
  l->version = version;
  l->gen = e->gen;
  l->camp = campProgramFindCampaign(l->p, name);
  if (l->camp == CAMP_NONE) { snprintf(err, errSize, "image of '%s' lacks the campaign", name); campProgramFree(l->p); return NULL; }
  const ProgCampaign *c = &l->p->camps[l->camp];
  l->actId = calloc(l->p->nact ? l->p->nact : 1, sizeof *l->actId);
  st = campDbPrepare(e->conn, "SELECT id FROM camp_activity WHERE campaign = ? AND name = ?", err, errSize);
  for (uint32_t a = c->firstAct; st && a < c->firstAct + c->nact; a++) {
    campDbBindInt64(st, 1, campaign);
    campDbBindText(st, 2, l->p->str[l->p->acts[a].name], -1);
    l->actId[a] = campDbStep(st) == DB_ROW ? campDbColumnInt64(st, 0) : 0;
    campDbReset(st);
  }
  campDbFinalize(st);
  campProgramHashHex(l->p, l->hash);
  l->emailField = firstFieldOfType(l->p, c->model, TYPE_EMAIL, "email");
  l->phoneField = firstFieldOfType(l->p, c->model, TYPE_PHONE, "phone");
  l->nameField = firstFieldOfType(l->p, c->model, 0, "name");
  l->optOutField = l->p->models[c->model].optOut != CAMP_NONE ? (int)l->p->models[c->model].optOut : -1;
  for (uint32_t a = c->firstAct; a < c->firstAct + c->nact; a++)
    if (l->p->acts[a].trigger == TRIG_VISIT || l->p->acts[a].trigger == TRIG_NO_VISIT) l->visits = 1;
  /* SELECT the fields in image order, so field i is column i. */
  const ProgModel *m = &l->p->models[c->model];
  Buf sql = { 0 };
  campBufPuts(&sql, "SELECT id");
  for (uint32_t f = 1; f < m->nfield; f++) { campBufPuts(&sql, ", "); campStoreIdentPut(&sql, l->p->str[m->fields[f].name]); }
  campBufPuts(&sql, " FROM ");
  campStoreIdentPut(&sql, l->p->str[m->name]);
  campBufPuts(&sql, " WHERE id = ?");
  if (sql.oom) snprintf(err, errSize, "out of memory");
  e->loadRecord[e->ncache] = sql.oom ? NULL : campDbPrepare(e->conn, sql.p, err, errSize);
  campBufFree(&sql);
  if (!e->loadRecord[e->ncache]) { campProgramFree(l->p); free(l->actId); return NULL; }
  e->ncache++;
  return l;
}

void campStoreDbRowToModel(Engine *e, const Program *p, uint32_t model, DbStmt *st, int col) {
  const ProgModel *m = &p->models[model];
  for (uint32_t f = 0; f < m->nfield && f < MAX_FIELDS; f++) {
    Value *v = &e->fields[f];
    memset(v, 0, sizeof *v);
    int c = col + (int)f;
    switch (campDbColumnType(st, c)) {
    case DB_NULL: break;
    case DB_FLOAT: v->tag = VAL_REAL; v->u.r = campDbColumnDouble(st, c); break;
    case DB_INTEGER:
      v->u.i = campDbColumnInt64(st, c);
      v->tag = m->fields[f].type == TYPE_BOOL ? VAL_BOOL : m->fields[f].type == TYPE_DATETIME ? VAL_TIME
             : m->fields[f].type == TYPE_REAL ? (v->u.r = (double)v->u.i, VAL_REAL) : VAL_INT;
      break;
    default: {
      const char *t = campDbColumnText(st, c);   /* before the length: a blob's bytes are its text's */
      int len = campDbColumnBytes(st, c);
      free(e->fieldText[f]);
      e->fieldText[f] = malloc((size_t)len + 1);
      if (!e->fieldText[f]) break;
      memcpy(e->fieldText[f], t, (size_t)len);
      e->fieldText[f][len] = 0;
      v->tag = VAL_TEXT; v->len = (uint32_t)len; v->u.s = e->fieldText[f];
    }
    }
  }
  e->recordId = e->fields[0].u.i;
}

int campStoreLoadRecord(Engine *e, const Loaded *l, int64_t id, char *err, size_t errSize) {
  DbStmt *st = e->loadRecord[l - e->cache];
  campDbReset(st);
  campDbBindInt64(st, 1, id);
  int rc = campDbStep(st);
  if (rc == DB_DONE) { campDbReset(st); return 1; }
  if (rc != DB_ROW) { campStoreConnError(e, err, errSize); campDbReset(st); return -1; }
  campStoreDbRowToModel(e, l->p, l->p->camps[l->camp].model, st, 0);
  campDbReset(st);
  return 0;
}

VmRecord campStoreRecord(Engine *e, const Loaded *l) {
  return (VmRecord){ l->p->camps[l->camp].model, l->p->models[l->p->camps[l->camp].model].nfield, e->fields };
}

Vm *campStoreVm(Engine *e) { return e->vm; }


long campStoreRecordWrites(Engine *e) { return e->recordWrites; }

/* A batch sees the database as it is now: other processes may have moved
** the simulated clock or deployed new versions since this engine opened. */
int campEngineBegin(Engine *e, char *err, size_t errSize) {
  if (campStoreBegin(e, 1, err, errSize) < 0) return -1;
  campEngineRefreshClock(e);
  return 0;
}
/* What these transactions write (events, hits, list and record changes) is
** news for waiting runners (campStoreWaitWork). */
int campEngineCommit(Engine *e, char *err, size_t errSize) {
  if (campStoreNotifyWork(e) < 0) return campStoreConnError(e, err, errSize);
  return campStoreCommit(e, err, errSize);
}

const char *campStoreDbTextOrNull(DbStmt *st, int col) {
  return campDbColumnType(st, col) == DB_NULL ? NULL : campDbColumnText(st, col);
}

json_t *campStoreDbColumnTime(DbStmt *st, int col) {
  if (campDbColumnType(st, col) == DB_NULL) return json_null();
  char buf[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(campDbColumnInt64(st, col), buf);
  return json_string(buf);
}

json_t *campStoreDbColumnText(DbStmt *st, int col) {
  if (campDbColumnType(st, col) == DB_NULL) return json_null();
  const char *t = campDbColumnText(st, col);
  json_t *s = json_string(t);
  if (s) return s;
  size_t n = (size_t)campDbColumnBytes(st, col);
  char *ascii = malloc(n + 1);
  if (!ascii) return json_null();
  for (size_t i = 0; i < n; i++) ascii[i] = (unsigned char)t[i] < 0x80 && t[i] ? t[i] : '?';
  ascii[n] = 0;
  s = json_string(ascii);
  free(ascii);
  return s ? s : json_null();
}

const char *campStoreEngineVersion(void) {
  static char v[32];
  if (!v[0]) snprintf(v, sizeof v, "SQLite %s", sqlite3_libversion());
  return v;
}
