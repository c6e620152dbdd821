/*
** runtime/store_runner.c -- who holds a claim, and waiting for the lock.
**
** Owns: the camp_runner rows (one per process that claims sends: its host,
** pid, process start time and a heartbeat), deciding whether a runner is
** alive, and the busy handler every connection waits with.  A claimed
** send (trace state SENDING) names its runner in camp_trace.owner; another
** runner takes it over only when that runner is dead -- gone from
** camp_runner, or judged dead here -- so two live runners never send the
** same message.  Does not own: what is claimed or when (sched.c, store_trace.c).
**
** Alive means: on this machine (same host name, boot and pid namespace),
** its pid exists and started when the row says (a reused pid is another
** process); elsewhere, its heartbeat is younger than RUNNER_LEASE seconds
** of real time (CAMP_LEASE_SECONDS when set: tests cut workers off for
** longer than a short lease).  A runner beats at every batch it takes or
** records.  CAMP_RUNNER_HOST, when set, is the machine's name instead of
** the host, boot and namespace (tests run "machines" side by side).
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runtime/store_engine.h"

#define RUNNER_LEASE 120          /* seconds without a heartbeat before a remote runner is dead */
#define BUSY_LIMIT_MS (10 * 60 * 1000)   /* waiting longer than this for the write lock is an error */

/* The busy handler: wait with a growing pause (1 ms doubling to 50 ms)
** for as long as BUSY_LIMIT_MS.  A connection in no-wait mode gives up at
** once (the recorder tries again at its next result). */
static int busyWait(void *arg, int count) {
  Engine *e = arg;
  if (e->noWait) return 0;
  long ms = count < 6 ? 1L << count : 50;
  long waited = count < 6 ? (1L << count) - 1 : 63 + (long)(count - 6) * 50;
  if (waited >= BUSY_LIMIT_MS) return 0;
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
  return 1;
}

void campStoreBusyInit(Engine *e) { if (e->db) sqlite3_busy_handler(e->db, busyWait, e); }

int campStoreNotifyWork(Engine *e) {
  return campDbKind(e->conn) == DB_POSTGRES ? campDbNotify(e->conn, "camp", NULL, NULL, 0) : 0;
}

int campStoreShared(Engine *e) { return campDbKind(e->conn) == DB_POSTGRES; }

int campStoreWaitWork(Engine *e, int ms) {
  if (campDbKind(e->conn) == DB_POSTGRES && (e->listening || campDbListen(e->conn, "camp", NULL, 0) == 0)) {
    e->listening = 1;
    int rc = campDbWait(e->conn, ms);
    if (rc >= 0) return rc;
  }
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
  return 0;
}

/* This machine as runners name it: host name, boot id and pid namespace
** (two containers on one kernel share the boot id but not the namespace). */
static void hostId(char *out, size_t size) {
  const char *given = getenv("CAMP_RUNNER_HOST");
  if (given && *given) { snprintf(out, size, "%s", given); return; }
  char host[256] = "?", boot[64] = "?", ns[64] = "?";
  gethostname(host, sizeof host - 1);
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
  if (f) { if (!fgets(boot, sizeof boot, f)) boot[0] = 0; fclose(f); boot[strcspn(boot, "\n")] = 0; }
  ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  ns[n > 0 ? n : 0] = 0;
  snprintf(out, size, "%s/%s/%s", host, boot, ns);
}

/* A process's start time in clock ticks since boot (field 22 of
** /proc/PID/stat), as text; "" when the process does not exist. */
static void procStart(long pid, char *out, size_t size) {
  char path[64], buf[1024];
  out[0] = 0;
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');             /* the command name may hold spaces */
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  if (p) snprintf(out, size, "%.*s", (int)strcspn(p + 1, " "), p + 1);
}

/* Seconds without a heartbeat before a runner elsewhere is dead. */
static int64_t lease(void) {
  const char *s = getenv("CAMP_LEASE_SECONDS");
  long v = s && *s ? strtol(s, NULL, 10) : 0;
  return v > 0 ? v : RUNNER_LEASE;
}

static int runnerAlive(const char *myHost, const char *host, long pid, const char *start, int64_t heartbeat, int64_t now) {
  if (strcmp(host, myHost) != 0) return heartbeat >= now - lease();
  if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) return 0;
  char s[32];
  procStart(pid, s, sizeof s);
  return s[0] && !strcmp(s, start);
}

/* Delete the rows of dead runners (their claims become free to take);
** inside the caller's write transaction. */
static int reapRunners(Engine *e, const char *myHost, int64_t now, char *err, size_t errSize) {
  DbStmt *st = campStoreDbStmt(e, "SELECT id, host, pid, proc_start, heartbeat FROM camp_runner", err, errSize);
  if (!st) return -1;
  int64_t dead[64];
  int n = 0, rc;
  while ((rc = campDbStep(st)) == DB_ROW && n < 64)
    if (campDbColumnInt64(st, 0) != e->runner &&
        !runnerAlive(myHost, campDbColumnText(st, 1), (long)campDbColumnInt64(st, 2),
                     campDbColumnText(st, 3), campDbColumnInt64(st, 4), now))
      dead[n++] = campDbColumnInt64(st, 0);
  campDbReset(st);
  if (rc != DB_ROW && rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  for (int i = 0; i < n; i++) {
    DbStmt *d = campStoreDbStmt(e, "DELETE FROM camp_runner WHERE id = ?", err, errSize);
    if (!d) return -1;
    campDbBindInt64(d, 1, dead[i]);
    rc = campDbStep(d);
    campDbReset(d);
    if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
  }
  return 0;
}

/* Inside a write transaction: register this process as a runner when it
** is not yet one, beat its heart, and forget dead runners.  Sets
** e->runner. */
int campStoreRunnerBeat(Engine *e, char *err, size_t errSize) {
  int64_t now = (int64_t)time(NULL);
  char myHost[512];
  hostId(myHost, sizeof myHost);
  if (e->runner) {
    DbStmt *s = campStoreDbStmt(e, "UPDATE camp_runner SET heartbeat = ? WHERE id = ?", err, errSize);
    if (!s) return -1;
    campDbBindInt64(s, 1, now);
    campDbBindInt64(s, 2, e->runner);
    int rc = campDbStep(s);
    campDbReset(s);
    if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); return -1; }
    if (campDbChanges(e->conn) == 0) e->runner = 0;   /* judged dead by another runner: register again */
  }
  if (!e->runner) {
    char start[32];
    procStart((long)getpid(), start, sizeof start);
    DbStmt *s = campStoreDbStmt(e, "INSERT INTO camp_runner(host, pid, proc_start, command, started_at, heartbeat) "
                                       "VALUES(?, ?, ?, ?, ?, ?) RETURNING id", err, errSize);
    if (!s) return -1;
    campDbBindText(s, 1, myHost, -1);
    campDbBindInt64(s, 2, (int64_t)getpid());
    campDbBindText(s, 3, start, -1);
    campDbBindText(s, 4, e->command[0] ? e->command : "camp", -1);
    campDbBindInt64(s, 5, now);
    campDbBindInt64(s, 6, now);
    int rc = campDbStep(s);
    if (rc == DB_ROW) e->runner = campDbColumnInt64(s, 0);
    else snprintf(err, errSize, "database: %s", campDbError(e->conn));
    campDbReset(s);
    if (rc != DB_ROW) return -1;
  }
  return reapRunners(e, myHost, now, err, errSize);
}

/* A runner that ends cleanly deletes its row: what it still holds (sends
** it was told to stop before starting) is free for the next runner. */
void campStoreRunnerEnd(Engine *e) {
  if (!e->runner) return;
  DbStmt *s = campDbPrepare(e->conn, "DELETE FROM camp_runner WHERE id = ?", NULL, 0);
  if (s) {
    campDbBindInt64(s, 1, e->runner);
    campDbStep(s);
  }
  campDbFinalize(s);
  e->runner = 0;
}
