/*
** cli/db.c -- the commands that work on a campaign database: init, deploy,
** plan, start, stop, run, event, import, report, and camp test's live
** test of one record (camp test itself: cli/test.c).
**
** Owns: their options, the database path (--db, else $CAMP_DB, else
** camp.db), times on the command line (ISO 8601 or relative to the
** database's clock: +90m, +2h, +3d, +1w) and exit codes.
*/
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/progress.h"
#include "runtime/clock.h"
#include "runtime/collect.h"
#include "compiler/resolve.h"
#include "runtime/engine.h"
#include "runtime/store.h"
#include "runtime/sched.h"
#include "runtime/sync.h"

static Engine *openDb(const CliArgs *a) {
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  return e;
}

static int fail(const char *cmd, Engine *e, const char *err) {
  fprintf(stderr, "camp %s: %s\n", cmd, err);
  campEngineClose(e);
  return 1;
}

static int init(const CliArgs *a) {
  int64_t clock = INT64_MIN;
  if (a->opt[O_CLOCK] && campClockParse(a->opt[O_CLOCK], (int64_t)time(NULL), &clock) < 0)
    return campCliUsage(a->cmd, "--clock '%s' is not a time (2026-01-05T09:00:00Z)", a->opt[O_CLOCK]);
  if (a->opt[O_SENDER] && !campResolveFromValid(a->opt[O_SENDER]))   /* before the file is made */
    return campCliUsage(a->cmd, "--sender '%s' is not a sender address (write \"Name <user@example.com>\" or \"user@example.com\")", a->opt[O_SENDER]);
  if (a->opt[O_TIMEZONE] && !campClockZone(a->opt[O_TIMEZONE])) {   /* one line, exit 1, nothing created */
    fprintf(stderr, "camp init: --timezone '%s' is not a time zone this system knows (an IANA name such as Europe/Paris, or UTC)\n",
            a->opt[O_TIMEZONE]);
    return 1;
  }
  char err[512];
  const char *db = campCliDbPath(a->opt[O_DB]);
  Engine *e = campEngineOpen(db, 1, clock, err, sizeof err);
  if (!e) { fprintf(stderr, "camp init: %s\n", err); return 1; }
  if (a->opt[O_SENDER] && campSendSetSender(e, a->opt[O_SENDER], err, sizeof err) < 0) return fail(a->cmd, e, err);
  if (a->opt[O_TIMEZONE] && campSendSetZone(e, a->opt[O_TIMEZONE], err, sizeof err) < 0) return fail(a->cmd, e, err);
  printf("%s: ready (%s clock)\n", campEngineName(e), campEngineIsSimulated(e) ? "simulated" : "real");
  campEngineClose(e);
  return 0;
}

static int deployOrPlan(const CliArgs *a, int dry) {
  if (!a->npos) return campCliUsage(a->cmd, "usage: camp %s --db DB [--root DIR] FILE.camp...", a->cmd);
  Engine *e = openDb(a);
  if (!e) return 1;
  /* every file compiled before any is deployed: one transaction for all */
  DeployImage *im = calloc((size_t)a->npos, sizeof *im);
  DeploySource *src = calloc((size_t)a->npos, sizeof *src);
  int rc = im && src ? 0 : campCliUsage(a->cmd, "out of memory");
  for (int i = 0; i < a->npos && rc == 0; i++) {
    uint8_t *img = NULL;
    rc = campCliCompileSource(a, a->pos[i], &img, &im[i].len, &src[i]) ? 1 : 0;
    im[i].img = img;
    im[i].source = &src[i];
  }
  DeployStats stats = { 0 };
  DeployOptions d = { .start = a->opt[O_START] != NULL, .dryRun = dry, .color = campCliColor(a, stdout), .out = stdout, .stats = &stats };
  char err[512];
  int changes = rc ? 0 : campEngineDeploy(e, im, (size_t)a->npos, &d, err, sizeof err);
  for (int i = 0; im && src && i < a->npos; i++) { free((void *)im[i].img); campStoreSourceFree(&src[i]); }
  free(im);
  free(src);
  if (rc) { campEngineClose(e); return rc; }
  if (changes < 0) return fail(a->cmd, e, err);
  campEngineDeploySummary(&stats, &d);
  campEngineClose(e);
  return dry && changes ? 2 : 0;   /* plan: 2 when anything would change, enrolment included */
}

static int deploy(const CliArgs *a) { return deployOrPlan(a, 0); }
static int plan(const CliArgs *a) { return deployOrPlan(a, 1); }

static int setState(const CliArgs *a, const char *state) {
  if (a->npos != 1) return campCliUsage(a->cmd, "usage: camp %s --db DB CAMPAIGN", a->cmd);
  Engine *e = openDb(a);
  char err[512];
  if (!e) return 1;
  if (campStoreSetState(e, a->pos[0], state, err, sizeof err) < 0) return fail(a->cmd, e, err);
  campEngineClose(e);
  return 0;
}

static int start(const CliArgs *a) { return setState(a, "running"); }
static int stop(const CliArgs *a) { return setState(a, "stopped"); }

/* --mail-connections and --sms-connections (0: the channel's default);
** 0, or 2 after a usage message. */
static int connectionCounts(const CliArgs *a, long *mc, long *sc) {
  *mc = *sc = 0;
  return campCliNumber(a, O_MAIL_CONN, 1, 256, mc) || campCliNumber(a, O_SMS_CONN, 1, 256, sc) ? 2 : 0;
}

int campCliOpenChannels(Engine *e, const CliArgs *a, RunOptions *r, char *err, size_t errSize) {
  long mc, sc;
  connectionCounts(a, &mc, &sc);     /* checked before the database opened */
  /* no channel unless given: a message due without one fails the run
  ** naming the option, rather than vanishing */
  r->mail = a->opt[O_MAIL] ? campChanOpenMail(a->opt[O_MAIL], (int)mc, err, errSize) : NULL;
  if (a->opt[O_MAIL] && !r->mail) return -1;
  r->sms = a->opt[O_SMS] ? campChanOpenSms(a->opt[O_SMS], (int)sc, err, errSize) : NULL;
  if (a->opt[O_SMS] && !r->sms) { campChanClose(r->mail); return -1; }
  r->baseUrl = a->opt[O_BASE_URL] ? a->opt[O_BASE_URL] : "http://127.0.0.1:8080";
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

/* Service mode: the syncs declared with `every` whose period has passed
** (runtime/sync.c), logged; a failure is logged and the service goes on. */
static void syncDue(Engine *e) {
  char err[1024];
  SyncOptions o = { .dueOnly = 1, .log = stderr, .stop = (volatile const int *)&stopRun };
  SyncStats st;
  if (campSyncRun(e, &o, &st, err, sizeof err) < 0) campProgressLog(stderr, "run: %s", err);
  else if (st.requests)
    campProgressLog(stderr, "run: synced: %ld added, %ld changed, %ld unsubscribed, %ld removed at the providers (%ld refused); "
                            "%ld unsubscribed, %ld mailings, %ld activity rows in camp; %ld requests", st.add, st.update,
                    st.unsubscribe, st.remove, st.failed, st.unsubscribed, st.mailings, st.activity, st.requests);
}

/* Service mode (no --until or --once, real clock): a pass, then sleep until
** the next due time, waking at least every minute to see new records and
** events, until SIGINT or SIGTERM.  A log line on stderr with an ISO
** timestamp when it starts, for each pass with work, for a failure and
** when it stops; *total adds up every pass.  0, or -1 after logging the
** failure. */
static int service(Engine *e, const char *db, RunOptions *r, RunStats *total) {
  char err[512];
  memset(total, 0, sizeof *total);
  int64_t viaRetryAt = 0;
  campProgressLog(stderr, "run: started on %s (real clock): a pass whenever work is due or news comes, until SIGINT or SIGTERM",
                  campEngineName(e));
  for (;;) {
    RunStats st;
    r->once = 1;
    r->viaRetryAt = &viaRetryAt;
    if (campSchedRun(e, r, &st, err, sizeof err) < 0) { campProgressLog(stderr, "run: error: %s", err); return -1; }
    if (!stopRun) syncDue(e);
#define ADD(f) total->f += st.f
    ADD(enrolled); ADD(left); ADD(processed); ADD(rejected); ADD(canceled);
    ADD(errors); ADD(sent); ADD(retried); ADD(completed); ADD(unsent);
#undef ADD
    if (st.enrolled || st.left || st.processed || st.rejected || st.canceled || st.errors || st.retried) {
      char more[160] = "";
      if (st.errors) snprintf(more, sizeof more, ", %ld errors (camp timeline says why)", st.errors);
      campProgressLog(stderr, "run: %ld enrolled, %ld processed, %ld sent%s", st.enrolled, st.processed, st.sent, more);
    }
    if (stopRun) break;
    int64_t wait = campSchedNextDue(e) - campEngineNow(e);
    campStoreWaitWork(e, 1000 * (int)(wait < 1 ? 1 : wait > 60 ? 60 : wait));   /* news or a signal end it early */
    if (stopRun) break;
  }
  campProgressLog(stderr, "run: stopped by signal; every message that went out is recorded; %ld claimed but not started "
                          "are left for the next run (same Message-IDs)", total->unsent);
  return 0;
}

/* --until or --once, with its progress on stderr (cli/progress.c). */
static int toTime(Engine *e, RunOptions *r, RunStats *st, char *err, size_t errSize) {
  Progress *p = campProgressStart(stderr, campEngineNow(e), r->once ? INT64_MAX : r->until);
  r->progress = p ? campProgressUpdate : NULL;
  r->progressCtx = p;
  int rc = campSchedRun(e, r, st, err, errSize);
  campProgressEnd(p);
  return rc;
}

static int run(const CliArgs *a) {
  long mc, sc;
  if (connectionCounts(a, &mc, &sc)) return 2;
  Engine *e = openDb(a);
  if (!e) return 1;
  sayIfNothingRuns(e);
  char werr[512];
  if (campStoreWarnOldImages(e, stderr, werr, sizeof werr) < 0) return fail(a->cmd, e, werr);
  RunOptions r = { .until = INT64_MAX };
  char err[512] = "";
  r.once = a->opt[O_ONCE] != NULL;
  if (a->opt[O_UNTIL] && campClockParse(a->opt[O_UNTIL], campEngineNow(e), &r.until) < 0) {
    campEngineClose(e);
    return campCliUsage(a->cmd, "--until '%s' is not a time (ISO 8601 or +90m, +2h, +3d, +1w)", a->opt[O_UNTIL]);
  }
  int asService = !a->opt[O_UNTIL] && !a->opt[O_ONCE];
  if (asService && campEngineIsSimulated(e)) { campEngineClose(e); return campCliUsage(a->cmd, "a simulated clock needs --until or --once"); }
  if (campCliOpenChannels(e, a, &r, err, sizeof err) < 0) return fail(a->cmd, e, err);
  catchStopSignals();
  r.stop = &stopRun;
  RunTally tally = { 0 };
  r.tally = &tally;
  RunStats st;
  int rc = asService ? service(e, campCliDbPath(a->opt[O_DB]), &r, &st) : toTime(e, &r, &st, err, sizeof err);
  campChanClose(r.mail);
  campChanClose(r.sms);
  if (rc < 0 && asService) { campSchedTallyFree(&tally); campEngineClose(e); return 1; }   /* logged */
  if (rc < 0) { campSchedTallyFree(&tally); return fail(a->cmd, e, err); }
  campProgressSummary(stdout, &tally);
  campSchedTallyFree(&tally);
  printf("enrolled %ld, left %ld, processed %ld (sent %ld), rejected %ld, canceled %ld, errors %ld, retried %ld, completed %ld\n",
         st.enrolled, st.left, st.processed, st.sent, st.rejected, st.canceled, st.errors, st.retried, st.completed);
  if (stopRun && !asService) {
    char at[CAMP_CLOCK_ISO_SIZE];
    campClockFormat(campEngineNow(e), at);
    fprintf(stderr, "camp run: stopped by signal at %s; every message that went out is recorded; %ld claimed but not "
                    "started are left for the next run (same Message-IDs)\n", at, st.unsent);
  }
  campEngineClose(e);
  return 0;
}

/* Says what an event did, one line on stdout (an unknown message: on
** stderr, prefixed by where it came from); the time as ISO 8601. */
static void sayEvent(const char *where, const char *kind, const char *id, const EventResult *r) {
  char end[CAMP_CLOCK_ISO_SIZE];
  switch (r->outcome) {
  case EVENT_RECORDED: printf("recorded: %s on %s%s\n", kind, id, r->stopped ? " (its campaign is stopped: not acted on)" : ""); break;
  case EVENT_DUPLICATE: printf("duplicate: %s on %s was recorded before (counted as a repeat, nothing else changed)\n", kind, id); break;
  case EVENT_LATE:
    campClockFormat(r->windowEnd, end);
    printf("after its window: %s on %s is recorded, but the window of '%s' ended at %s: nothing triggered\n", kind, id,
           r->branch ? r->branch : "?", end);
    break;
  case EVENT_UNKNOWN: fprintf(stderr, "%s: unknown message '%s': nothing changed\n", where, id); break;
  }
}

/* `camp event … --file events.jsonl`: one JSON object per line,
** {"event":"open","message_id":"…","at":"2026-…","url":"…"}; a count per
** outcome at the end.  Unknown messages are named on stderr unless
** ignoreUnknown; only malformed lines fail the file (1). */
static int eventsFromFile(Engine *e, const char *path, int ignoreUnknown, char *err, size_t errSize) {
  FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "r");
  if (!f) { snprintf(err, errSize, "cannot read '%s': %s", path, strerror(errno)); return -1; }
  char *line = NULL;
  size_t cap = 0;
  long n = 0, count[4] = { 0 }, bad = 0;
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
    EventResult r;
    if (campSchedEventOutcome(e, kind, id, t, url, &r, err, errSize) < 0) { fprintf(stderr, "%s:%ld: error: %s\n", path, n, err); bad++; }
    else {
      count[r.outcome]++;
      if (r.outcome == EVENT_UNKNOWN && !ignoreUnknown) fprintf(stderr, "%s:%ld: unknown message '%s': nothing changed\n", path, n, id);
    }
    campSchedEventResultFree(&r);
    json_decref(j);
  }
  free(line);
  if (f != stdin) fclose(f);
  if (campEngineCommit(e, err, errSize) < 0) return -1;
  printf("%ld events: %ld recorded, %ld duplicates, %ld after their window, %ld unknown messages, %ld malformed\n", n,
         count[EVENT_RECORDED], count[EVENT_DUPLICATE], count[EVENT_LATE], count[EVENT_UNKNOWN], bad);
  return bad ? 1 : 0;
}

/* -- camp event visit ------------------------------------------------------------- */

/* The record's model for website w: model (NULL: the website's target),
** checked against the target; NULL with the reason in err. */
static const char *visitModel(const char *site, const StoreSite *w, const char *model, char *err, size_t errSize) {
  if (!model && !w->model) snprintf(err, errSize, "website '%s' has no target: give the record's --model", site);
  else if (model && w->model && strcmp(model, w->model))
    snprintf(err, errSize, "website '%s' tracks contacts of model '%s', not '%s'", site, w->model, model);
  else return model ? model : w->model;
  return NULL;
}

/* The hit, stored, acted on and grouped in one transaction. */
static int visitWrite(Engine *e, const WebHit *h, VisitResult *r, char *err, size_t errSize) {
  char model[256];
  if (campEngineBegin(e, err, errSize) < 0) return -1;
  int rc = campStoreLandingRecord(e, h->model, h->record, model, sizeof model, err, errSize) > 0 ? 0 : -1;
  if (rc == 0 && campStoreHitAdd(e, h) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); rc = -1; }
  if (rc == 0) rc = campSchedVisitOutcome(e, h, r, err, errSize);
  if (rc == 0 && campStoreVisitsGroup(e, err, errSize) < 0) rc = -1;
  if (rc == 0) rc = campEngineCommit(e, err, errSize);
  if (rc < 0) campStoreRollback(e);
  return rc;
}

int campCliVisit(Engine *e, WebHit *h, char *model, size_t modelSize, VisitResult *r, char *err, size_t errSize) {
  memset(r, 0, sizeof *r);
  StoreSite w;
  int found = campStoreSiteFind(e, h->site, &w, err, errSize);
  if (found == 0) snprintf(err, errSize, "no website with site_id '%s' is deployed", h->site);
  if (found <= 0) return -1;
  char *code, *source, *medium, *keyword;
  campCollectUrlCampaign(h->url, &code, &source, &medium, &keyword);
  h->code = code ? code : w.code;
  h->source = source, h->medium = medium, h->keyword = keyword;
  const char *m = visitModel(h->site, &w, h->model, err, errSize);
  if (m) snprintf(model, modelSize, "%s", m);
  h->model = m ? model : NULL;
  int rc = m ? visitWrite(e, h, r, err, errSize) : 1;
  h->code = h->source = h->medium = h->keyword = NULL;
  free(code); free(source); free(medium); free(keyword);
  campStoreSiteFree(&w);
  return rc;
}

static void sayVisit(const WebHit *h, const VisitResult *r) {
  char end[CAMP_CLOCK_ISO_SIZE];
  if (strcmp(h->name, "visit")) printf("event '%s' recorded", h->name);
  else fputs("visit recorded", stdout);
  printf(": %s %lld on %s, %d branch%s fired, %d canceled", h->model, (long long)h->record, h->site, r->fired,
         r->fired == 1 ? "" : "es", r->canceled);
  if (r->late) {
    campClockFormat(r->windowEnd, end);
    printf(" (after its window: the window of '%s' ended at %s)", r->branch ? r->branch : "?", end);
  }
  putchar('\n');
}

/* camp event visit --site SITE_ID --record ID [--model M] (--url URL |
** --event NAME [--value V]) [--at TIME]: a contact's website hit, as the
** collector records one. */
static int visitEvent(const CliArgs *a, Engine *e) {
  const char *usage = "usage: camp event --db DB visit --site SITE_ID --record ID [--model M] (--url URL | --event NAME [--value V]) [--at TIME]";
  char err[512], *end;
  if (a->npos != 1 || !a->opt[O_SITE] || !a->opt[O_RECORD] || (!a->opt[O_URL] && !a->opt[O_EVENT]) ||
      (a->opt[O_VALUE] && !a->opt[O_EVENT]) || a->opt[O_MESSAGE_ID])
    return campCliUsage(a->cmd, "%s", usage);
  WebHit h = { .site = a->opt[O_SITE], .url = a->opt[O_URL], .name = a->opt[O_EVENT] ? a->opt[O_EVENT] : "visit",
               .value = 1, .uaClass = "desktop", .model = a->opt[O_MODEL], .at = campEngineNow(e) };
  long long rec = strtoll(a->opt[O_RECORD], &end, 10);
  if (*end || rec <= 0) return campCliUsage(a->cmd, "--record '%s' is not a record id", a->opt[O_RECORD]);
  h.record = rec;
  if (a->opt[O_VALUE]) {
    h.value = strtod(a->opt[O_VALUE], &end);
    if (*end || end == a->opt[O_VALUE] || h.value != h.value) return campCliUsage(a->cmd, "--value '%s' is not a number", a->opt[O_VALUE]);
  }
  if (!*h.name) return campCliUsage(a->cmd, "--event needs a name");
  if (a->opt[O_AT] && campClockParse(a->opt[O_AT], campEngineNow(e), &h.at) < 0) return campCliUsage(a->cmd, "--at '%s' is not a time", a->opt[O_AT]);
  VisitResult r;
  char model[256];
  int rc = campCliVisit(e, &h, model, sizeof model, &r, err, sizeof err);
  if (rc < 0) fprintf(stderr, "camp %s: %s: nothing recorded\n", a->cmd, err);
  else if (rc > 0) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  else sayVisit(&h, &r);
  campSchedVisitResultFree(&r);
  return rc ? 1 : 0;
}

static int event(const CliArgs *a) {
  Engine *e = openDb(a);
  char err[512];
  if (!e) return 1;
  if (a->npos >= 1 && !strcmp(a->pos[0], "visit") && !a->opt[O_FILE]) {
    int rc = visitEvent(a, e);
    campEngineClose(e);
    return rc;
  }
  int ignoreUnknown = a->opt[O_IGNORE_UNKNOWN] != NULL;
  if (a->opt[O_FILE]) {
    int rc = eventsFromFile(e, a->opt[O_FILE], ignoreUnknown, err, sizeof err);
    if (rc < 0) return fail(a->cmd, e, err);
    campEngineClose(e);
    return rc;
  }
  if (a->npos != 1 || !a->opt[O_MESSAGE_ID]) {
    campEngineClose(e);
    return campCliUsage(a->cmd, "usage: camp event --db DB open|click|reply|bounce|unsubscribe|abuse --message-id ID [--at TIME] [--url URL]");
  }
  int64_t at = campEngineNow(e);
  if (a->opt[O_AT] && campClockParse(a->opt[O_AT], at, &at) < 0) { campEngineClose(e); return campCliUsage(a->cmd, "--at '%s' is not a time", a->opt[O_AT]); }
  EventResult r;
  int rc = campSchedEventOutcome(e, a->pos[0], a->opt[O_MESSAGE_ID], at, a->opt[O_URL], &r, err, sizeof err);
  if (rc == 0) sayEvent("camp event", a->pos[0], a->opt[O_MESSAGE_ID], &r);
  campSchedEventResultFree(&r);
  if (rc < 0) return fail(a->cmd, e, err);
  campEngineClose(e);
  return r.outcome == EVENT_UNKNOWN && !ignoreUnknown ? 1 : 0;
}

/* --delimiter: one ASCII character (or "tab", "\t"), not a quote or line break. */
static int delimiter(const char *v) {
  if (!v) return ',';
  if (!strcmp(v, "tab") || !strcmp(v, "\\t")) return '\t';
  if (strlen(v) != 1 || strchr("\"\r\n", v[0]) || (unsigned char)v[0] >= 0x80) return -1;
  return (unsigned char)v[0];
}

static int import(const CliArgs *a) {
  if (!a->opt[O_MODEL] || a->npos != 1) return campCliUsage(a->cmd, "usage: camp import --db DB --model NAME [--key FIELD] [--delimiter C] FILE.csv");
  int delim = delimiter(a->opt[O_DELIMITER]);
  if (delim < 0) return campCliUsage(a->cmd, "--delimiter '%s': give one character other than a quote or a line break (or tab)", a->opt[O_DELIMITER]);
  Engine *e = openDb(a);
  char err[512];
  long added, updated;
  if (!e) return 1;
  if (campStoreImport(e, a->opt[O_MODEL], a->opt[O_KEY], a->pos[0], delim, stderr, &added, &updated, err, sizeof err) < 0) return fail(a->cmd, e, err);
  printf("imported %ld records (%ld updated)\n", added + updated, updated);
  campEngineClose(e);
  return 0;
}

/* Run report into path atomically: a temporary file beside it, renamed
** over it only when the whole report is written; on any error the
** temporary file is removed and path left as it was.  0 or -1 (err set). */
/* The report of a campaign (all: NULL), of a mailing's members, or of an
** initiative, on out; members < 0: of the website named initiative, in
** buckets of scale -members. */
static int writeReport(Engine *e, const char *campaign, int members, const char *initiative, ReportFormat f, FILE *out,
                       char *err, size_t errSize) {
  if (members < 0) return campStoreReportWebsite(e, initiative, -members, f, out, err, errSize);
  if (initiative) return campStoreReportInitiative(e, initiative, f, out, err, errSize);
  return members ? campStoreMailingMembers(e, campaign, f, out, err, errSize) : campStoreReport(e, campaign, f, out, err, errSize);
}

static int reportToFile(Engine *e, const char *campaign, int members, const char *initiative, ReportFormat f, const char *path,
                        char *err, size_t errSize) {
  char *tmp = NULL;
  if (asprintf(&tmp, "%s.XXXXXX", path) < 0) { snprintf(err, errSize, "out of memory"); return -1; }
  mode_t mask = umask(0);
  umask(mask);
  int fd = mkstemp(tmp), rc = -1;
  FILE *out = fd < 0 ? NULL : fdopen(fd, "w");
  if (!out) {
    snprintf(err, errSize, "cannot write '%s': %s", path, strerror(errno));
    if (fd >= 0) { close(fd); unlink(tmp); }
  } else {
    if (writeReport(e, campaign, members, initiative, f, out, err, errSize) == 0) {
      rc = fchmod(fd, 0666 & ~mask) == 0 && fflush(out) == 0 && !ferror(out) && fsync(fd) == 0 ? 0 : -1;
      if (rc < 0) snprintf(err, errSize, "cannot write '%s': %s", path, strerror(errno));
    }
    if (fclose(out) != 0 && rc == 0) { snprintf(err, errSize, "cannot write '%s': %s", path, strerror(errno)); rc = -1; }
    if (rc == 0 && rename(tmp, path) < 0) { snprintf(err, errSize, "cannot write '%s': %s", path, strerror(errno)); rc = -1; }
    if (rc < 0) unlink(tmp);
  }
  free(tmp);
  return rc;
}

static int report(const CliArgs *a) {
  static const char *const formats[] = { "table", "json", "csv", "html", NULL };
  ReportFormat f;
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  int members = a->opt[O_MEMBERS] != NULL;
  const char *campaign = a->npos ? a->pos[0] : NULL, *path = a->opt[O_OUTPUT], *initiative = a->opt[O_INITIATIVE];
  if (members && (a->npos != 1 || f == REPORT_HTML || initiative))
    return campCliUsage(a->cmd, "usage: camp report [--db DB] MAILING --members [--format table|json|csv] [-o FILE]");
  if (initiative && (campaign || f == REPORT_CSV))
    return campCliUsage(a->cmd, "usage: camp report [--db DB] --initiative CODE [--format table|json|html] [-o FILE] (no CAMPAIGN)");
  const char *website = a->opt[O_WEBSITE], *scale = a->opt[O_SCALE];
  if (website && (campaign || members || initiative || f == REPORT_CSV))
    return campCliUsage(a->cmd, "usage: camp report [--db DB] --website NAME [--scale hour|day|month] [--format table|json|html] [-o FILE]");
  if (scale && !website) return campCliUsage(a->cmd, "--scale goes with --website (an initiative has its own scale)");
  if (website) {
    members = !scale || !strcmp(scale, "day") ? -SCALE_DAY : !strcmp(scale, "hour") ? -SCALE_HOUR : !strcmp(scale, "month") ? -SCALE_MONTH : 0;
    if (!members) return campCliUsage(a->cmd, "--scale '%s': hour, day or month", scale);
    initiative = website;
  }
  Engine *e = openDb(a);
  char err[512] = "";
  if (!e) return 1;
  if ((website || initiative) && campVisitsGroup(e, err, sizeof err) < 0) return fail(a->cmd, e, err);
  if ((path ? reportToFile(e, campaign, members, initiative, f, path, err, sizeof err)
            : writeReport(e, campaign, members, initiative, f, stdout, err, sizeof err)) < 0)
    return fail(a->cmd, e, err);
  campEngineClose(e);
  return 0;
}

int campCliTestRecord(const CliArgs *a) {
  long mc, sc;
  if (connectionCounts(a, &mc, &sc)) return 2;
  if (a->npos != 1 || !a->opt[O_RECORD]) return campCliUsage(a->cmd, "usage: camp test --db DB CAMPAIGN --record ID [--run ACTIVITY | --until TIME]");
  char *end;
  long long rec = strtoll(a->opt[O_RECORD], &end, 10);
  if (*end) return campCliUsage(a->cmd, "--record takes a record id");
  Engine *e = openDb(a);
  char err[512];
  if (!e) return 1;
  RunOptions r = { .until = campEngineNow(e) };
  if (a->opt[O_UNTIL] && campClockParse(a->opt[O_UNTIL], campEngineNow(e), &r.until) < 0) { campEngineClose(e); return campCliUsage(a->cmd, "--until is not a time"); }
  if (campCliOpenChannels(e, a, &r, err, sizeof err) < 0) return fail(a->cmd, e, err);
  int rc = campSchedTest(e, a->pos[0], rec, a->opt[O_RUN], r.until, &r, stdout, err, sizeof err);
  campChanClose(r.mail);
  campChanClose(r.sms);
  if (rc < 0) return fail(a->cmd, e, err);
  campEngineClose(e);
  return 0;
}

/* camp timeline [--campaign C | CAMPAIGN] [--record ID] [--format F]. */
static int timeline(const CliArgs *a) {
  static const char *const formats[] = { "text", "json", NULL };
  ReportFormat f;
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &f)) return 2;
  const char *campaign = a->opt[O_CAMPAIGN];
  if (a->npos > 1 || (a->npos && campaign && strcmp(campaign, a->pos[0])))
    return campCliUsage(a->cmd, "usage: camp timeline [--db DB] [--campaign C] [--record ID] [--format text|json] (one campaign)");
  if (a->npos) campaign = a->pos[0];
  int64_t record;
  if (a->opt[O_RECORD]) {
    char *end;
    errno = 0;
    record = strtoll(a->opt[O_RECORD], &end, 10);
    if (!*a->opt[O_RECORD] || *end || errno) return campCliUsage(a->cmd, "--record '%s' is not a record id", a->opt[O_RECORD]);
  }
  Engine *e = openDb(a);
  char err[512];
  if (!e) return 1;
  if (campStoreTimeline(e, campaign, a->opt[O_RECORD] ? &record : NULL, f, stdout, err, sizeof err) < 0) return fail(a->cmd, e, err);
  campEngineClose(e);
  return 0;
}

/* --- the commands' option tables and help ------------------------------- */

#define RUN_ENV "CAMP_SECRET\tsigns tracking links instead of the database's own secret\n" \
  "CAMP_SMTP_USER\tthe SMTP login (with CAMP_SMTP_PASSWORD)\n" \
  "CAMP_SMTP_PASSWORD\tthe SMTP password\n" \
  "CAMP_SMS_AUTH\tthe Authorization header of SMS requests\n" \
  "CAMP_WEBHOOK_AUTH\tthe Authorization header of webhook() calls"
#define DB_EXITS "0\tdone\n1\tthe database or the work failed (the message says why)\n2\tusage error"
#define CHANNEL_OPTS { O_MAIL, NULL }, { O_SMS, NULL }, { O_BASE_URL, NULL }, { O_MAIL_CONN, NULL }, { O_SMS_CONN, NULL }

const CliSpec campCmdInit = {
  "init", "create a campaign database", init,
  "camp init [--db DB] [--clock TIME] [--sender ADDRESS] [--timezone ZONE]",
  "Creates the database file with its schema and a random tracking secret.\n"
  "With --clock the database keeps its own simulated time, moved only by camp run --until.\n"
  "With --sender, emails and mailings without from go out from ADDRESS (camp config sender changes it).\n"
  "With --timezone, ZONE (an IANA name: Europe/Paris) is the database's zone: calendar delays, times of\n"
  "day and send windows of recipients with no zone of their own or their campaign's count in it (else\n"
  "UTC; camp config timezone changes it).  A zone this system does not know is refused, nothing created.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_CLOCK, NULL }, { O_SENDER, NULL }, { O_TIMEZONE, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp init --db shop.db --clock 2026-01-05T09:00:00Z", DB_EXITS, 0,
};

const CliSpec campCmdImport = {
  "import", "load records from CSV into a model (all or nothing)", import,
  "camp import [--db DB] --model MODEL [--key FIELD] [--delimiter C] FILE.csv",
  "The first line names the model's fields; every row is checked against their types and the\n"
  "whole file is loaded in one transaction, or nothing is (docs/import.md: the CSV format).",
  (const CliOptUse[]){ { O_DB, NULL }, { O_MODEL, NULL }, { O_KEY, NULL }, { O_DELIMITER, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp import --db shop.db --model contact --key email contacts.csv",
  "0\tevery row loaded\n1\ta row is wrong or the database failed: nothing was loaded\n2\tusage error", 0,
};

static const CliOptUse deployOpts[] = { { O_DB, NULL }, { O_START, NULL }, { O_ROOT, NULL }, { CLI_NOPT, NULL } };

const CliSpec campCmdPlan = {
  "plan", "show what deploy would change, and change nothing", plan,
  "camp plan [--db DB] [--root DIR] FILE.camp...",
  "Compares each campaign in the files with its deployed version: activities added, removed and\n"
  "changed, and the participants that would be enrolled, leave or have pending traces canceled.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_ROOT, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp plan --db shop.db examples/welcome_flow.camp",
  "0\tno changes\n1\ta file has errors or the database failed\n2\tchanges would be made (or usage error)", 0,
};

const CliSpec campCmdDeploy = {
  "deploy", "store campaigns as new versions and sync participants in flight", deploy,
  "camp deploy [--db DB] [--start] [--root DIR] FILE.camp...",
  "Creates or extends the models' tables, stores each changed campaign as a new version, and moves\n"
  "participants in flight onto it.  A new campaign is a draft until --start or camp start.",
  deployOpts, NULL, "camp deploy --db shop.db --start examples/welcome_flow.camp", DB_EXITS, 0,
};

static const CliOptUse dbOnly[] = { { O_DB, NULL }, { CLI_NOPT, NULL } };

const CliSpec campCmdStart = {
  "start", "set a campaign running", start, "camp start [--db DB] CAMPAIGN", NULL, dbOnly,
  NULL, "camp start --db shop.db welcome_flow", DB_EXITS, 0,
};

const CliSpec campCmdStop = {
  "stop", "stop a campaign (nothing more is sent; camp start resumes it)", stop, "camp stop [--db DB] CAMPAIGN", NULL, dbOnly,
  NULL, "camp stop --db shop.db welcome_flow", DB_EXITS, 0,
};

const CliSpec campCmdRun = {
  "run", "enrol participants and execute due traces", run,
  "camp run [--db DB] (--until TIME | --once) [--mail URL] [--sms URL] [OPTIONS]\n"
  "camp run [--db DB] [--mail URL] [--sms URL]     (service mode, real clock)",
  "With --until, runs every due trace up to TIME (on a simulated clock, time moves to TIME).\n"
  "With --once, one pass over what is due now.  With neither (real clock only), runs as a\n"
  "service until SIGINT or SIGTERM, logging a line with an ISO timestamp on stderr when it starts,\n"
  "for each pass with work, for a failure and when it stops.  Any number of runs may share a\n"
  "database: none sends what another claimed.\n"
  "On a terminal, stderr shows one live line: the time reached, traces per second, sent, errors\n"
  "and the time left to --until; otherwise a timestamped line every 10 s.  At the end, stdout has\n"
  "a line per campaign (enrolled, processed, sent, rejected, errors), then the run's totals.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_UNTIL, NULL }, { O_ONCE, NULL }, CHANNEL_OPTS, { CLI_NOPT, NULL } },
  RUN_ENV "\nCAMP_PROGRESS_INTERVAL_MS\tmilliseconds between two progress lines when stderr is not a terminal (default 10000; 0: none)",
  "camp run --db shop.db --until +30d --mail file:out/",
  "0\tdone (also when stopped by SIGINT or SIGTERM)\n1\tthe database or a channel failed\n2\tusage error", 0,
};

const CliSpec campCmdEvent = {
  "event", "record open, click, reply, bounce, unsubscribe or abuse events, or a contact's website visit", event,
  "camp event [--db DB] open|click|reply|bounce|unsubscribe|abuse --message-id ID [--at TIME] [--url URL]\n"
  "camp event [--db DB] --file EVENTS.jsonl\n"
  "camp event [--db DB] visit --site SITE_ID --record ID [--model M] (--url URL | --event NAME [--value V]) [--at TIME]",
  "Prints what it did: recorded; duplicate (the same kind and URL was already recorded on the message:\n"
  "counted as a repeat); after its window (recorded, but the branch waiting for it had its within window\n"
  "end first: nothing triggered); or, on stderr, unknown message (nothing changed).\n"
  "--file reads one JSON object per line: {\"event\":\"open\",\"message_id\":\"...\",\"at\":\"...\",\"url\":\"...\"}\n"
  "and prints how many had each outcome; unknown messages do not fail a file.\n"
  "visit records a hit of record ID (of the website's target model, or --model) on the website whose\n"
  "site_id is SITE_ID, as camp serve's collector does: a page view of --url, or the event --event\n"
  "(value --value, default 1); its campaign code is the URL's pk_campaign, mtm_campaign or utm_campaign,\n"
  "else the website's.  In one transaction it acts on the record's on visit and on no visit branches and\n"
  "groups the hit into a visit, then prints what it did: visit recorded: contact 42 on shop-1, 1 branch\n"
  "fired, 0 canceled.  An unknown site or record is an error and records nothing.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_MESSAGE_ID, NULL }, { O_AT, NULL },
                       { O_URL, "the link clicked; visit: the page's URL" },
                       { O_FILE, "read events from a JSON-lines file (- for stdin)" }, { O_IGNORE_UNKNOWN, NULL },
                       { O_SITE, NULL }, { O_RECORD, "visit: the contact's record id" },
                       { O_MODEL, "visit: the record's model (default: the website's target)" }, { O_EVENT, NULL },
                       { O_VALUE, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp event --db shop.db click --message-id t12.5f0c1e2d3c4b5a69@camp --url https://shop.example/\n"
  "camp event --db shop.db visit --site shop-1 --record 42 --url https://shop.example/pricing",
  "0\trecorded, a duplicate (counted as a repeat), or after its window (recorded, nothing triggered)\n"
  "1\tunknown message (unless --ignore-unknown), a malformed line in --file, an unknown site or record\n"
  "\t(visit), or the database failed\n2\tusage error", 0,
};

const CliSpec campCmdReport = {
  "report", "participants, activities, engagement and links", report,
  "camp report [--db DB] [--format table|json|csv|html] [-o FILE] [CAMPAIGN]\n"
  "camp report [--db DB] MAILING --members [--format table|json|csv] [-o FILE]\n"
  "camp report [--db DB] --initiative CODE|NAME [--format table|json|html] [-o FILE]\n"
  "camp report [--db DB] --website NAME [--scale hour|day|month] [--format table|json|html] [-o FILE]",
  "html is one self-contained page with charts, to open or forward (docs/report.md says what\n"
  "each number means); json carries a \"version\" and follows docs/report.schema.json.\n"
  "--members: a row per member of a mailing (or campaign): its record and address, its message's\n"
  "state, when it was sent, its opens, clicks, bounces, unsubscribes and abuse reports.\n"
  "--initiative: the combined picture of its mailings and campaigns, their totals, cost per send and\n"
  "per click, and the series in its report scale; any code it has or had finds it; its web section\n"
  "counts the hits with those codes: visits, visitors, page views, events, conversions, revenue,\n"
  "cost per visit and per conversion, return.\n"
  "--website: the same web numbers for one website, in buckets of --scale (default day).",
  (const CliOptUse[]){ { O_DB, NULL }, { O_MEMBERS, NULL }, { O_INITIATIVE, NULL }, { O_WEBSITE, "the website's report: its name or site_id" },
                       { O_SCALE, NULL },
                       { O_FORMAT, "table (default), json, csv or html" },
                       { O_OUTPUT, "write to FILE (whole, or left as it was on an error) instead of standard output" },
                       { CLI_NOPT, NULL } },
  NULL, "camp report --db shop.db --format html -o report.html", DB_EXITS, 0,
};

const CliSpec campCmdTimeline = {
  "timeline", "every trace with its Message-ID and the events received on it", timeline,
  "camp timeline [--db DB] [--campaign CAMPAIGN] [--record ID] [--format text|json]\n"
  "camp timeline [--db DB] [--format text|json] CAMPAIGN",
  "Participant by participant, each one's traces in time order (when done, else when due): state,\n"
  "due and done times, the message that went out (its Message-ID, the one camp event takes) and\n"
  "the events received on it (open, click with its URL, reply, bounce, unsubscribe) with their times.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_CAMPAIGN, NULL }, { O_RECORD, "only the traces of record ID" },
                       { O_FORMAT, "text (default) or json" }, { CLI_NOPT, NULL } },
  NULL, "camp timeline --db shop.db --campaign welcome_flow --record 42", DB_EXITS, 0,
};
