/*
** runtime/sched.h -- the scheduler's front door: run what is due, test one
** record, apply an event, sync a campaign's participants.
**
** Owns: the options and counts of a run.  The trigger semantics these
** carry out are docs/RUNTIME.md's; runtime/sched.c says how.
*/
#ifndef CAMP_SCHED_H
#define CAMP_SCHED_H

#include <signal.h>
#include <stdio.h>
#include "runtime/engine.h"

/* unsent: claimed messages not started because the run was told to stop
** (left, with their Message-IDs, for the next run). */
typedef struct RunStats { long enrolled, left, processed, rejected, canceled, errors, sent, retried, completed, unsent; } RunStats;

/* One campaign's share of a run's counts (RunTally): enrolled and left by
** its syncs, and its traces decided and sent.  Canceled by an expired
** window is counted only in the run's totals (one statement cancels them
** for every campaign). */
typedef struct RunCampaign {
  int64_t campaign;
  char *name;               /* the campaign's name (malloc'd) */
  RunStats st;
} RunCampaign;

/* Counts per campaign, added to by every campSchedRun given it (several
** passes add up); the caller frees it with campSchedTallyFree. */
typedef struct RunTally { RunCampaign *v; size_t n, cap; } RunTally;

void campSchedTallyFree(RunTally *t);

/* A run's progress: the counts so far and the time the run has reached
** (the database's clock: simulated, or real). */
typedef void RunProgressFn(void *ctx, const RunStats *st, int64_t reached);

typedef struct RunOptions {
  int64_t until;        /* run everything due up to this time; the clock ends there */
  int once;             /* one pass at the current time */
  Channel *mail, *sms;
  const char *baseUrl;  /* tracking links */
  const char *secret;   /* token key */
  FILE *log;            /* progress lines, or NULL */
  int batch;            /* traces per transaction (default 500) */
  volatile sig_atomic_t *stop;   /* when it becomes non-zero (SIGTERM), the run finishes what is out and returns */
  /* Called on the run's thread between batches and during long syncs, at
  ** most every PROGRESS_MS (100) of wall time; NULL: never.  It costs the
  ** loop one monotonic clock read per batch. */
  RunProgressFn *progress;
  void *progressCtx;
  RunTally *tally;      /* counts per campaign are added here, or NULL */
  int64_t campaign;     /* only this campaign's sync and traces (camp send: a manual mailing is enrolled then); 0: all */
  int64_t *viaRetryAt;  /* camp run's service mode (NULL otherwise): a mailing an ESP refused (`via`) is logged and
                           no hand-over is tried before this wall time (a minute later) -- the run goes on */
} RunOptions;

int campSchedRun(Engine *e, const RunOptions *o, RunStats *st, char *err, size_t errSize);

/* When the next trace is due or window ends (INT64_MAX: nothing pending). */
int64_t campSchedNextDue(Engine *e);

/* Record an event on the message messageId.  kind: "open", "click",
** "reply", "bounce", "unsubscribe", "abuse" (a complaint: suppresses the
** address with reason "complaint").  at: event time; url: clicked link or
** NULL.  Returns 0, 1 when the message is unknown (nothing changed), -1. */
int campSchedEvent(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url,
                   char *err, size_t errSize);

/* An unsubscribe on message messageId from the list its campaign or
** mailing was sent to (the unsubscribe page's first button, RFC 8058
** one-click): the event recorded as "unsubscribe", the record marked
** unsubscribed from that list only (its address is not suppressed); a
** message whose campaign has no list: an unsubscribe from everything, as
** campSchedEvent's.  0, 1 unknown message, -1 (err). */
int campSchedUnsubscribeList(Engine *e, const char *messageId, int64_t at, char *err, size_t errSize);

/* What an event did (campSchedEventOutcome).  RECORDED: stored and acted
** on; DUPLICATE: the same kind (and URL) was already recorded on the
** message, so it counts as a repeat on that first row and changes nothing
** else; UNKNOWN: no message camp sent has that Message-ID (nothing
** changed); LATE: stored, but every branch waiting for it had its `within`
** window end before the event's time -- those branches are closed
** (canceled as a window that passed) and nothing was triggered. */
typedef enum EventOutcome { EVENT_RECORDED = 0, EVENT_UNKNOWN = 1, EVENT_DUPLICATE = 2, EVENT_LATE = 3 } EventOutcome;
typedef struct EventResult {
  EventOutcome outcome;
  int late;                 /* a branch waiting for it had its window end first */
  int stopped;              /* its campaign is stopped: recorded, not acted on */
  char *branch;             /* LATE: the first closed branch's activity (malloc'd; NULL when out of memory) */
  int64_t windowEnd;        /* LATE: when its window ended */
} EventResult;

/* campSchedEvent, saying what it did in *r (free it with
** campSchedEventResultFree, also after -1).  0, or -1 (err says why). */
int campSchedEventOutcome(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url,
                          EventResult *r, char *err, size_t errSize);
void campSchedEventResultFree(EventResult *r);

/* A message as it would be sent (campSchedPreview); every string malloc'd,
** freed by campSchedPreviewFree. */
typedef struct Preview {
  int sms;                  /* an SMS: text only, no subject, html or eml */
  char *to;                 /* the address it would go to */
  char *subject, *html, *text;   /* as sent: links tracked, the open pixel in the HTML */
  char *eml;                /* the RFC 5322 message (an email), emlLen bytes */
  size_t emlLen;
  char *links;              /* where each tracked link redirects, a line each (NULL: none) */
  uint32_t nlinks;
  const char *note;         /* why a send would be canceled now (suppressed, opted out), or NULL */
} Preview;

/* Render message activity `activity` of campaign for record as a send at
** the database's now would be (base URL and token key as a run's),
** writing nothing to the database: the Message-ID and tracked links name
** trace 0, which no trace is.  0, or -1 with err: no such campaign,
** activity or record, an activity that is not a message (err says what it
** is), a record without an address, a header past its limit. */
int campSchedPreview(Engine *e, const char *campaign, const char *activity, int64_t record, const char *baseUrl,
                     const char *secret, Preview *pv, char *err, size_t errSize);
void campSchedPreviewFree(Preview *pv);

/* Odoo's participant sync for one campaign, inside the caller's
** transaction: leave / unlink, then enrol new matches; counted in rs. */
int campSchedSync(Engine *e, int64_t campaign, RunStats *rs, char *err, size_t errSize);

/* Test mode: enrol record as a test participant of campaign, then run one
** activity now (activity != NULL) or advance its own timeline to until, and
** print the participant's timeline. */
int campSchedTest(Engine *e, const char *campaign, int64_t record, const char *activity, int64_t until,
                  const RunOptions *o, FILE *out, char *err, size_t errSize);

/* A contact's website hit acts on the campaigns it is a participant of
** (sched_visit.c; docs/RUNTIME.md, "Visits"): the armed `on visit`
** branches under messages sent to the record before h->at whose condition
** the hit meets become due (h->at + their delay; one whose window ended
** before is closed), and the `on no visit` branches it meets are canceled.
** Anonymous hits, bots and stopped campaigns change nothing.  Inside the
** caller's transaction; *fired (may be NULL) counts the branches made due.
** 0, or -1 with the message in err. */
struct WebHit;
int campSchedVisit(Engine *e, const struct WebHit *h, int *fired, char *err, size_t errSize);

/* campSchedVisit, saying more in *r (free it with campSchedVisitResultFree,
** also after -1): fired, the `on visit` branches made due; canceled, the
** `on no visit` branches canceled; late (with branch and windowEnd, as an
** EventResult's), an `on visit` branch the hit met had its window end
** before the hit's time: closed then, or by a run before. */
typedef struct VisitResult {
  int fired, canceled;
  int late;
  char *branch;             /* late: the first such branch's activity (malloc'd; NULL when out of memory) */
  int64_t windowEnd;
} VisitResult;
int campSchedVisitOutcome(Engine *e, const struct WebHit *h, VisitResult *r, char *err, size_t errSize);
void campSchedVisitResultFree(VisitResult *r);

/* Does url meet the URL pattern of `on visit where url like P` and
** visited(P)?  SQL LIKE (campVmLike) on the URL's path and query (what
** follows scheme://host[:port], "/" when nothing does; no #fragment) when
** P starts with '/', else on the whole URL.  1 or 0. */
int campSchedVisitUrlLike(const char *url, size_t urlLen, const char *pattern, size_t patternLen);

/* visited(): has record id of model a hit (not a bot's) between since
** (INT64_MIN: ever) and the database's now whose URL meets pattern
** (campSchedVisitUrlLike)?  1, 0, or -1 (a database error). */
int campSchedVisited(Engine *e, const char *model, int64_t id, const char *pattern, size_t patternLen, int64_t since);

#endif
