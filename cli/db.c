/*
** cli/db.c -- the commands that work on a campaign database: init, deploy,
** plan, start, stop, run, event, import, report, test.
**
** Owns: their options, the database path (--db, else $CAMP_DB, else
** camp.db), times on the command line (ISO 8601 or relative to the
** database's clock: +90m, +2h, +3d, +1w) and exit codes.
*/
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/clock.h"
#include "runtime/engine.h"
#include "runtime/store.h"
#include "runtime/sched.h"

typedef struct Opts {
  const char *db, *clock, *until, *mail, *sms, *baseUrl, *format, *messageId, *at, *url, *file, *model, *key,
             *record, *run, *mailConnections, *smsConnections, *delimiter, *root;
  int once, start;
  int npos;
  const char *pos[64];
} Opts;

/* Parse argv into o; returns 0 or 2 after a usage message. */
static int parse(int argc, char **argv, Opts *o, const char *allowed) {
  memset(o, 0, sizeof *o);
  static const struct { const char *name; size_t off; } opts[] = {
    { "--db", offsetof(Opts, db) }, { "--clock", offsetof(Opts, clock) }, { "--until", offsetof(Opts, until) },
    { "--mail", offsetof(Opts, mail) }, { "--sms", offsetof(Opts, sms) }, { "--base-url", offsetof(Opts, baseUrl) },
    { "--format", offsetof(Opts, format) }, { "--message-id", offsetof(Opts, messageId) }, { "--at", offsetof(Opts, at) },
    { "--url", offsetof(Opts, url) }, { "--file", offsetof(Opts, file) }, { "--model", offsetof(Opts, model) },
    { "--key", offsetof(Opts, key) }, { "--record", offsetof(Opts, record) }, { "--run", offsetof(Opts, run) },
    { "--mail-connections", offsetof(Opts, mailConnections) }, { "--sms-connections", offsetof(Opts, smsConnections) },
    { "--delimiter", offsetof(Opts, delimiter) }, { "--root", offsetof(Opts, root) },
  };
  for (int i = 1; i < argc; i++) {
    int matched = 0;
    for (size_t k = 0; k < sizeof opts / sizeof opts[0] && !matched; k++) {
      const char *v;
      int m = campCliOpt(argc, argv, &i, opts[k].name, &v);
      if (m < 0) return 2;
      if (m) {
        if (!strstr(allowed, opts[k].name)) return campCliUsage(argv[0], "unknown option '%s'", opts[k].name);
        *(const char **)((char *)o + opts[k].off) = v;
        matched = 1;
      }
    }
    if (matched) continue;
    if (!strcmp(argv[i], "--once") && strstr(allowed, "--once")) { o->once = 1; continue; }
    if (!strcmp(argv[i], "--start") && strstr(allowed, "--start")) { o->start = 1; continue; }
    if (argv[i][0] == '-' && argv[i][1]) return campCliUsage(argv[0], "unknown option '%s'", argv[i]);
    if (o->npos < 64) o->pos[o->npos++] = argv[i];
  }
  o->db = campCliDbPath(o->db);
  return 0;
}

static Engine *openDb(const char *cmd, const Opts *o) {
  char err[512];
  Engine *e = campEngineOpen(o->db, 0, INT64_MIN, err, sizeof err);
  if (!e) fprintf(stderr, "camp %s: %s\n", cmd, err);
  return e;
}

static int fail(const char *cmd, Engine *e, const char *err) {
  fprintf(stderr, "camp %s: %s\n", cmd, err);
  campEngineClose(e);
  return 1;
}

int campCmdInit(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --clock")) return 2;
  int64_t clock = INT64_MIN;
  if (o.clock && campClockParse(o.clock, (int64_t)time(NULL), &clock) < 0)
    return campCliUsage(argv[0], "--clock '%s' is not a time (2026-01-05T09:00:00Z)", o.clock);
  char err[512];
  Engine *e = campEngineOpen(o.db, 1, clock, err, sizeof err);
  if (!e) { fprintf(stderr, "camp init: %s\n", err); return 1; }
  printf("%s: ready (%s clock)\n", o.db, campEngineIsSimulated(e) ? "simulated" : "real");
  campEngineClose(e);
  return 0;
}

static int deployOrPlan(int argc, char **argv, int dry) {
  Opts o;
  if (parse(argc, argv, &o, "--db --start --root")) return 2;
  if (!o.npos) return campCliUsage(argv[0], "usage: camp %s --db DB [--root DIR] FILE.camp...", argv[0]);
  Engine *e = openDb(argv[0], &o);
  if (!e) return 1;
  /* every file compiled before any is deployed: one transaction for all */
  DeployImage *im = calloc((size_t)o.npos, sizeof *im);
  DeploySource *src = calloc((size_t)o.npos, sizeof *src);
  int rc = im && src ? 0 : campCliUsage(argv[0], "out of memory");
  for (int i = 0; i < o.npos && rc == 0; i++) {
    uint8_t *img = NULL;
    rc = campCliCompileSource(argv[0], o.root, o.pos[i], &img, &im[i].len, &src[i]) ? 1 : 0;
    im[i].img = img;
    im[i].source = &src[i];
  }
  DeployStats stats = { 0 };
  /* colour: the lead's --color option replaces this test */
  DeployOptions d = { .start = o.start, .dryRun = dry, .color = isatty(1) && !getenv("NO_COLOR"), .out = stdout, .stats = &stats };
  char err[512];
  int changes = rc ? 0 : campEngineDeploy(e, im, (size_t)o.npos, &d, err, sizeof err);
  for (int i = 0; im && src && i < o.npos; i++) { free((void *)im[i].img); campStoreSourceFree(&src[i]); }
  free(im);
  free(src);
  if (rc) { campEngineClose(e); return rc; }
  if (changes < 0) return fail(argv[0], e, err);
  campEngineDeploySummary(&stats, &d);
  campEngineClose(e);
  return dry && changes ? 2 : 0;   /* plan: 2 when anything would change, enrolment included */
}

int campCmdDeploy(int argc, char **argv) { return deployOrPlan(argc, argv, 0); }
int campCmdPlan(int argc, char **argv) { return deployOrPlan(argc, argv, 1); }

static int setState(int argc, char **argv, const char *state) {
  Opts o;
  if (parse(argc, argv, &o, "--db")) return 2;
  if (o.npos != 1) return campCliUsage(argv[0], "usage: camp %s --db DB CAMPAIGN", argv[0]);
  Engine *e = openDb(argv[0], &o);
  char err[512];
  if (!e) return 1;
  if (campStoreSetState(e, o.pos[0], state, err, sizeof err) < 0) return fail(argv[0], e, err);
  campEngineClose(e);
  return 0;
}

int campCmdStart(int argc, char **argv) { return setState(argc, argv, "running"); }
int campCmdStop(int argc, char **argv) { return setState(argc, argv, "stopped"); }

/* --mail-connections / --sms-connections: 1 to 256 (0 when not given). */
static int connections(const char *v, int *n, char *err, size_t errSize) {
  char *end;
  long k = v ? strtol(v, &end, 10) : 0;
  if (v && (end == v || *end || k < 1 || k > 256)) { snprintf(err, errSize, "connections '%s': give a number from 1 to 256", v); return -1; }
  *n = (int)k;
  return 0;
}

static int openChannels(Engine *e, const Opts *o, RunOptions *r, char *err, size_t errSize) {
  int mc, sc;
  if (connections(o->mailConnections, &mc, err, errSize) < 0 || connections(o->smsConnections, &sc, err, errSize) < 0) return -1;
  /* no channel unless given: a message due without one fails the run
  ** naming the option, rather than vanishing */
  r->mail = o->mail ? campChanOpenMail(o->mail, mc, err, errSize) : NULL;
  if (o->mail && !r->mail) return -1;
  r->sms = o->sms ? campChanOpenSms(o->sms, sc, err, errSize) : NULL;
  if (o->sms && !r->sms) { campChanClose(r->mail); return -1; }
  r->baseUrl = o->baseUrl ? o->baseUrl : "http://127.0.0.1:8080";
  r->secret = campCliSecret(e);
  return 0;
}

/* SIGTERM / SIGINT: the run finishes recording what is out, lets go of
** what it claimed but did not start, and exits 0. */
static volatile sig_atomic_t stopRun;
static void onStopSignal(int sig) { (void)sig; stopRun = 1; }

static void catchStopSignals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onStopSignal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* A line on stderr when no campaign runs (run still processes test
** participants and exits 0): a draft does nothing until camp start. */
static void sayIfNothingRuns(Engine *e) {
  long draft, running, stopped;
  char err[512];
  if (campStoreCampaignStates(e, &draft, &running, &stopped, err, sizeof err) < 0 || running) return;
  if (!draft && !stopped) fprintf(stderr, "camp run: no campaign is deployed (camp deploy --start FILE.camp)\n");
  else fprintf(stderr, "camp run: no campaign is running (%ld draft, %ld stopped): start one with camp start NAME or camp deploy --start\n",
               draft, stopped);
}

int campCmdRun(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --until --once --mail --sms --base-url --mail-connections --sms-connections")) return 2;
  Engine *e = openDb(argv[0], &o);
  if (!e) return 1;
  sayIfNothingRuns(e);
  char werr[512];
  if (campStoreWarnOldImages(e, stderr, werr, sizeof werr) < 0) return fail(argv[0], e, werr);
  RunOptions r = { .until = INT64_MAX };
  char err[512];
  r.once = o.once;
  if (o.until && campClockParse(o.until, campEngineNow(e), &r.until) < 0) {
    campEngineClose(e);
    return campCliUsage(argv[0], "--until '%s' is not a time (ISO 8601 or +90m, +2h, +3d, +1w)", o.until);
  }
  if (!o.until && !o.once) {
    if (campEngineIsSimulated(e)) { campEngineClose(e); return campCliUsage(argv[0], "a simulated clock needs --until or --once"); }
  }
  if (openChannels(e, &o, &r, err, sizeof err) < 0) return fail(argv[0], e, err);
  catchStopSignals();
  r.stop = &stopRun;
  RunStats st;
  int rc;
  if (!o.until && !o.once) {
    /* service on the real clock: a pass, then sleep until the next due
    ** time, waking at least every minute to see new records and events */
    for (;;) {
      r.once = 1;
      if ((rc = campSchedRun(e, &r, &st, err, sizeof err)) < 0) break;
      if (st.processed || st.enrolled) fprintf(stderr, "camp run: %ld enrolled, %ld processed, %ld sent\n", st.enrolled, st.processed, st.sent);
      if (stopRun) break;
      int64_t wait = campSchedNextDue(e) - campEngineNow(e);
      sleep((unsigned)(wait < 1 ? 1 : wait > 60 ? 60 : wait));   /* a signal ends the sleep */
      if (stopRun) break;
    }
  } else {
    rc = campSchedRun(e, &r, &st, err, sizeof err);
  }
  campChanClose(r.mail);
  campChanClose(r.sms);
  if (rc < 0) return fail(argv[0], e, err);
  printf("enrolled %ld, left %ld, processed %ld (sent %ld), rejected %ld, canceled %ld, errors %ld, retried %ld, completed %ld\n",
         st.enrolled, st.left, st.processed, st.sent, st.rejected, st.canceled, st.errors, st.retried, st.completed);
  if (stopRun) {
    char at[CAMP_CLOCK_ISO_SIZE];
    campClockFormat(campEngineNow(e), at);
    fprintf(stderr, "camp run: stopped by signal at %s; every message that went out is recorded; %ld claimed but not "
                    "started are left for the next run (same Message-IDs)\n", at, st.unsent);
  }
  campEngineClose(e);
  return 0;
}

/* `camp event … --file events.jsonl`: one JSON object per line,
** {"event":"open","message_id":"…","at":"2026-…","url":"…"}. */
static int eventsFromFile(Engine *e, const char *path, char *err, size_t errSize) {
  FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "r");
  if (!f) { snprintf(err, errSize, "cannot read '%s': %s", path, strerror(errno)); return -1; }
  char *line = NULL;
  size_t cap = 0;
  long n = 0, applied = 0, unknown = 0, bad = 0;
  if (campEngineBegin(e, err, errSize) < 0) { if (f != stdin) fclose(f); return -1; }
  while (getline(&line, &cap, f) > 0) {
    n++;
    if (n % 500 == 0 && (campEngineCommit(e, err, errSize) < 0 || campEngineBegin(e, err, errSize) < 0)) break;
    json_error_t je;
    json_t *j = json_loads(line, 0, &je);
    const char *kind = NULL, *id = NULL, *at = NULL, *url = NULL;
    if (!j || json_unpack(j, "{s:s,s:s,s?s,s?s}", "event", &kind, "message_id", &id, "at", &at, "url", &url) < 0) {
      fprintf(stderr, "%s:%ld:%d: error: %s\n", path, n, j ? 1 : je.column, j ? "expected {\"event\":…,\"message_id\":…}" : je.text);
      bad++;
      json_decref(j);
      continue;
    }
    int64_t t = campEngineNow(e);
    if (at && campClockParse(at, t, &t) < 0) { fprintf(stderr, "%s:%ld: error: 'at' is not a time\n", path, n); bad++; json_decref(j); continue; }
    int rc = campSchedEvent(e, kind, id, t, url, err, errSize);
    if (rc < 0) { fprintf(stderr, "%s:%ld: error: %s\n", path, n, err); bad++; }
    else if (rc == 1) { fprintf(stderr, "%s:%ld: unknown message '%s': nothing changed\n", path, n, id); unknown++; }
    else applied++;
    json_decref(j);
  }
  free(line);
  if (f != stdin) fclose(f);
  if (campEngineCommit(e, err, errSize) < 0) return -1;
  printf("%ld events: %ld recorded, %ld unknown messages, %ld malformed\n", n, applied, unknown, bad);
  return bad ? 1 : 0;
}

int campCmdEvent(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --message-id --at --url --file")) return 2;
  Engine *e = openDb(argv[0], &o);
  char err[512];
  if (!e) return 1;
  if (o.file) {
    int rc = eventsFromFile(e, o.file, err, sizeof err);
    if (rc < 0) return fail(argv[0], e, err);
    campEngineClose(e);
    return rc;
  }
  if (o.npos != 1 || !o.messageId) {
    campEngineClose(e);
    return campCliUsage(argv[0], "usage: camp event --db DB open|click|reply|bounce|unsubscribe --message-id ID [--at TIME] [--url URL]");
  }
  int64_t at = campEngineNow(e);
  if (o.at && campClockParse(o.at, at, &at) < 0) { campEngineClose(e); return campCliUsage(argv[0], "--at '%s' is not a time", o.at); }
  int rc = campSchedEvent(e, o.pos[0], o.messageId, at, o.url, err, sizeof err);
  if (rc < 0) return fail(argv[0], e, err);
  if (rc == 1) { fprintf(stderr, "camp event: unknown message '%s': nothing changed\n", o.messageId); campEngineClose(e); return 1; }
  campEngineClose(e);
  return 0;
}

/* --delimiter: one ASCII character (or "tab", "\t"), not a quote or line break. */
static int delimiter(const char *v) {
  if (!v) return ',';
  if (!strcmp(v, "tab") || !strcmp(v, "\\t")) return '\t';
  if (strlen(v) != 1 || strchr("\"\r\n", v[0]) || (unsigned char)v[0] >= 0x80) return -1;
  return (unsigned char)v[0];
}

int campCmdImport(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --model --key --delimiter")) return 2;
  if (!o.model || o.npos != 1) return campCliUsage(argv[0], "usage: camp import --db DB --model NAME [--key FIELD] [--delimiter C] FILE.csv");
  int delim = delimiter(o.delimiter);
  if (delim < 0) return campCliUsage(argv[0], "--delimiter '%s': give one character other than a quote or a line break (or tab)", o.delimiter);
  Engine *e = openDb(argv[0], &o);
  char err[512];
  long added, updated;
  if (!e) return 1;
  if (campStoreImport(e, o.model, o.key, o.pos[0], delim, stderr, &added, &updated, err, sizeof err) < 0) return fail(argv[0], e, err);
  printf("imported %ld records (%ld updated)\n", added + updated, updated);
  campEngineClose(e);
  return 0;
}

int campCmdReport(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --format")) return 2;
  static const char *const formats[] = { "table", "json", "csv", NULL };
  ReportFormat f;
  if (campCliFormat(argv[0], o.format, formats, &f)) return 2;
  Engine *e = openDb(argv[0], &o);
  char err[512];
  if (!e) return 1;
  if (campStoreReport(e, o.npos ? o.pos[0] : NULL, f, stdout, err, sizeof err) < 0) return fail(argv[0], e, err);
  campEngineClose(e);
  return 0;
}

int campCmdTest(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --record --run --until --mail --sms --base-url --mail-connections --sms-connections")) return 2;
  if (o.npos != 1 || !o.record) return campCliUsage(argv[0], "usage: camp test --db DB CAMPAIGN --record ID [--run ACTIVITY | --until TIME]");
  char *end;
  long long rec = strtoll(o.record, &end, 10);
  if (*end) return campCliUsage(argv[0], "--record takes a record id");
  Engine *e = openDb(argv[0], &o);
  char err[512];
  if (!e) return 1;
  RunOptions r = { .until = campEngineNow(e) };
  if (o.until && campClockParse(o.until, campEngineNow(e), &r.until) < 0) { campEngineClose(e); return campCliUsage(argv[0], "--until is not a time"); }
  if (openChannels(e, &o, &r, err, sizeof err) < 0) return fail(argv[0], e, err);
  int rc = campSchedTest(e, o.pos[0], rec, o.run, r.until, &r, stdout, err, sizeof err);
  campChanClose(r.mail);
  campChanClose(r.sms);
  if (rc < 0) return fail(argv[0], e, err);
  campEngineClose(e);
  return 0;
}

int campCmdTimeline(int argc, char **argv) {
  Opts o;
  if (parse(argc, argv, &o, "--db --format")) return 2;
  static const char *const formats[] = { "text", "json", NULL };
  ReportFormat f;
  if (campCliFormat(argv[0], o.format, formats, &f)) return 2;
  Engine *e = openDb(argv[0], &o);
  char err[512];
  if (!e) return 1;
  if (campStoreTimeline(e, o.npos ? o.pos[0] : NULL, f, stdout, err, sizeof err) < 0) return fail(argv[0], e, err);
  campEngineClose(e);
  return 0;
}
