/*
** runtime/store.h -- the narrow store interface: the verbs the scheduler,
** the actions and the commands need from a campaign database.
**
** Owns: the contract between the runtime's policy (runtime/sched.c: sync,
** decide, children, expiry, retries; runtime/actions.c) and the database
** that keeps its state.  Nothing here names SQL, a sqlite3 type or a trace
** state's stored number: traces move between the named TRACE_* states, and
** each verb says what it changes.  SQLite implements the verbs today
** (runtime/store_engine.c, store_trace.c, store_runner.c, store_record.c,
** store_suppress.c, store_event.c, store_report.c, store_timeline.c,
** store_counts.c, store_status.c, store_names.c, store_initiative.c,
** store_deploy.c, store_import.c, store_list.c, store_mailing.c: the only
** files with SQL).  A second implementation
** (PostgreSQL: many workers claiming with FOR UPDATE SKIP LOCKED) is meant
** to implement the same verbs with the same contracts.
**
** Contracts, for every implementation:
** - Atomicity.  Verbs run inside the caller's transaction (campStoreBegin
**   .. campStoreCommit) unless they say otherwise; a rollback undoes all of
**   them.  Nothing a verb writes is visible to another runner before the
**   commit.
** - Claims.  campStoreTakeDue returns work no live runner owns; the
**   transaction that takes a send moves it to TRACE_SENDING with its
**   Message-ID and this runner as owner (campStoreClaimSend), so two live
**   runners never send the same message.  Results settle only a claim this
**   runner still owns (campStoreSettle / campStoreRetry / campStoreRelease
**   return 0 when it is another's now, and change nothing).
** - Ordering.  Due work comes back interrupted sends first, then scheduled
**   traces, each by due time; newcomers come back in record id order.
** - Idempotence.  Settling a claim twice changes nothing the second time;
**   an interrupted send keeps its Message-ID, so a retry is the same
**   message; campStoreComplete of a completed participant does nothing.
** - Errors.  -1 (or NULL, or 0 for an id) is a database error with its
**   message in err where the verb takes one; no verb leaves half of its
**   writes behind inside a transaction that commits.
*/
#ifndef CAMP_STORE_H
#define CAMP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "runtime/engine.h"
#include "runtime/program.h"
#include "runtime/vm.h"

/* How a report or listing is written (campStoreReport and others). */
typedef enum { REPORT_TABLE, REPORT_JSON, REPORT_CSV, REPORT_HTML } ReportFormat;

/* A deployed campaign version in memory (the store's program cache). */
typedef struct Loaded {
  int64_t campaign;         /* the campaign's id in the store */
  int version;
  unsigned gen;             /* the batch generation when the version was last confirmed */
  Program *p;
  uint32_t camp;            /* index in p->camps */
  int64_t *actId;           /* the store's activity id per image activity index (p->nact entries) */
  int emailField, phoneField, nameField;   /* field indexes or -1 */
  int optOutField;          /* the model's declared opt-out field (a bool) or -1 */
  int visits;               /* the campaign has an `on visit` or `on no visit` branch (sched_visit.c skips the others) */
  char hash[65];            /* the image's SHA-256 in hex */
} Loaded;

/* One due trace as the store hands it out.  spawned and queued are the
** scheduler's marks (zero when taken). */
typedef struct DueTrace {
  int64_t trace, participant, parent, due, record, campaign;
  int64_t due0;             /* the first due time, before any hold for a window or a cap (what `expire` counts from) */
  int state, attempts, actIdx, test;   /* actIdx: the activity's image index, -1 when removed */
  int spawned;              /* it created children: its participant has work pending */
  int queued;               /* claimed for sending: finished after the send */
  char messageId[96];       /* "" until the claim gives it one */
} DueTrace;

/* -- transactions ---------------------------------------------------------- */

/* Begin a write transaction.  wait == 0: give up at once when another
** connection holds the write lock (returns 1, nothing begun).  Each begin
** starts a new batch generation: cached campaign versions are re-checked.
** 0 begun, -1 error. */
int campStoreBegin(Engine *e, int wait, char *err, size_t errSize);
int campStoreCommit(Engine *e, char *err, size_t errSize);
void campStoreRollback(Engine *e);
/* News for runners.  campStoreNotifyWork, inside a transaction: at its
** commit, runners waiting in campStoreWaitWork wake (PostgreSQL: NOTIFY
** camp; SQLite: nothing).  campStoreWaitWork: wait up to ms for such news
** (PostgreSQL: LISTEN camp) -- on SQLite, or when the wait cannot be made,
** sleep ms; a signal ends it early.  1 woken by news, 0 not. */
int campStoreNotifyWork(Engine *e);
/* After many rows were added (an enrolment): PostgreSQL's planner is told
** the tables' new sizes (ANALYZE camp_participant, camp_trace), without
** which it takes due work through every participant instead of the due
** index (100x slower); SQLite: nothing.  Outside a transaction; 0 or -1. */
int campStoreAnalyze(Engine *e);
/* 1 when other runners work this store side by side and may hold rows this
** one passes over (PostgreSQL), 0 when one writer at a time does (SQLite). */
int campStoreShared(Engine *e);
int campStoreWaitWork(Engine *e, int ms);
/* After a failure: may running the whole transaction again cure it?  On
** PostgreSQL a lost connection (the next statement connects again), a
** serialization failure, a deadlock or a statement timeout; on SQLite
** never (its busy handler already waited).  Roll back first. */
int campStoreRetryable(Engine *e);
/* A nested all-or-nothing step inside a transaction (an activity's
** actions): mark, then keep (keep != 0) or undo everything since. */
int campStoreMark(Engine *e);
void campStoreMarkEnd(Engine *e, int keep);
/* A second connection to the same database, for recording results from
** the send thread while the engine decides the next batch; NULL when the
** database has no file (":memory:").  Owned by e. */
Engine *campStoreRecorder(Engine *e);
/* The last database error, for messages. */
const char *campStoreError(Engine *e);

/* -- campaigns --------------------------------------------------------------- */

/* The current version of a campaign (by id), loaded and cached; NULL with
** a message in err.  Valid until the next batch generation. */
const Loaded *campStoreLoaded(Engine *e, int64_t campaign, char *err, size_t errSize);
void campStoreForget(Engine *e, int64_t campaign);
/* The ids of the running campaigns, in id order (*ids malloc'd). */
int campStoreRunningCampaigns(Engine *e, int64_t **ids, size_t *n, char *err, size_t errSize);
/* The id of the deployed campaign named name; 0 none. */
int64_t campStoreCampaignId(Engine *e, const char *name, char *err, size_t errSize);
/* Was the campaign synced once (a mailing: already sent)?  1 yes, 0 no. */
int campStoreSynced(Engine *e, int64_t campaign, char *err, size_t errSize);
int campStoreMarkSynced(Engine *e, int64_t campaign, int64_t now, char *err, size_t errSize);
/* The earliest send time of a running mailing not yet sent (INT64_MIN when
** one waits for no time; INT64_MAX: none). */
int64_t campStoreNextMailing(Engine *e);

/* Store an image (inside the caller's transaction, store_deploy.c): the
** model tables created or extended (campStoreDeployModels), then campaign
** ci: a new version with its source, the sync rules applied to
** participants in flight (campStoreDeployCampaign).  Each prints what it
** changes to o->out and counts it in *stats; *changed is set when the
** campaign changes (a new version or a state).  -1 on error. */
typedef struct DeployedCampaign {
  int64_t id;               /* in the store (0: a plan of a campaign that is not there) */
  int version;              /* the version it has now */
  int changed;              /* a new version, or a new state */
  int running;              /* it runs after the deploy */
} DeployedCampaign;
int campStoreDeployModels(Engine *e, const Program *p, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize);
int campStoreDeployCampaign(Engine *e, const Program *p, uint32_t ci, const DeployImage *im, const DeployOptions *o,
                            DeployStats *stats, DeployedCampaign *dc, char *err, size_t errSize);
/* A source property appended to s (strings copied), and s's texts freed;
** -1 out of memory. */
int campStoreSourceAdd(DeploySource *s, const char *campaign, const char *activity, const char *field,
                       const char *text, size_t len);
void campStoreSourceFree(DeploySource *s);
/* The id of the campaign named name (0 none, -1 error); *running: is it. */
int64_t campStoreCampaignState(Engine *e, const char *name, int *running, char *err, size_t errSize);
/* Drop every cached version (after a rollback that may have made them). */
void campStoreForgetAll(Engine *e);

/* -- records ----------------------------------------------------------------- */

/* Load record id of the campaign's model as the current record; 0 found,
** 1 gone, -1 error. */
int campStoreLoadRecord(Engine *e, const Loaded *l, int64_t id, char *err, size_t errSize);
/* The current record, as the VM reads it (valid until the next load). */
VmRecord campStoreRecord(Engine *e, const Loaded *l);
/* Is record of model a manual member of list?  1 yes, 0 no, -1 error. */
int campStoreListMember(Engine *e, const char *list, const char *model, int64_t record);
/* The VM the engine runs filters, templates and actions on. */
Vm *campStoreVm(Engine *e);
/* Records changed by actions in this process (set, tags, create). */
long campStoreRecordWrites(Engine *e);

/* -- record writes: the effects of actions applied (store_record.c) ------------ */

/*  Each runs inside the caller's transaction (an
** activity's actions share a savepoint); identifiers are names from the
** image; 0, or -1 with a message in err.  campStoreRecordSet also
** writes add_tag/remove_tag's new tags text; opt_out() is
** campStoreSuppress.  The scheduler's VM host (sched_host.c) records an
** action's effect with them. */
int campStoreRecordSet(Engine *e, const char *model, int64_t record, const char *field, const Value *value,
                       char *err, size_t errSize);
/* The loaded record (what the VM reads) after campStoreRecordSet on it:
** field takes value (text copied), so the next action of the same
** activity sees what this one wrote.  Nothing when model's record is not
** the loaded one. */
void campStoreRecordPut(Engine *e, const Loaded *l, const char *model, int64_t record, const char *field,
                        const Value *value);
/* Make record of model a member of list (add) or not (!add); idempotent. */
int campStoreRecordList(Engine *e, const char *list, const char *model, int64_t record, int add,
                        char *err, size_t errSize);
int campStoreRecordNote(Engine *e, const char *model, int64_t record, const Value *text, int64_t at,
                        char *err, size_t errSize);
/* A new record of model with the n named fields set (n == 0: defaults). */
int campStoreRecordCreate(Engine *e, const char *model, int n, const char *const *fields, const Value *values,
                          char *err, size_t errSize);
/* Queue webhook idx of trace in camp_outbox: POSTed after the commit. */
int campStoreRecordWebhook(Engine *e, int64_t trace, int idx, const char *url, size_t urlLen, const char *body,
                           char *err, size_t errSize);
/* Replace the body of each webhook queued for trace, in idx order, with
** rewrite(ctx, body) (malloc'd, freed here; NULL: out of memory). */
typedef char *(*StoreRewriteFn)(void *ctx, const char *body);
int campStoreRecordWebhookBodies(Engine *e, int64_t trace, StoreRewriteFn rewrite, void *ctx,
                                 char *err, size_t errSize);

/* -- marketing lists (store_list.c; docs/RUNTIME.md "Lists") ------------------ */

/* What the store keeps of one record on one list (its camp_list_member
** row): found == 0 when there is no row (all zero then).  member: a manual
** member or one of an on-demand snapshot; the overlays: unsubscribed,
** removed; contacted: how many messages went to it through the list. */
typedef struct StoreListRow {
  int found, member, unsubscribed, removed;
  int64_t joined, contacted, lastContacted;   /* joined, lastContacted: INT64_MIN when not set */
} StoreListRow;
/* Register every list of p (deploy, inside its transaction): the image
** kept once by hash in camp_image, a camp_list row per list (kind,
** keep_contacted, model, title, image, deployed_at; refreshed_at kept),
** each printed as plan does ("+ list vip (manual, model contact)") and
** counted in stats.  0, or -1 with the message in err. */
int campStoreDeployLists(Engine *e, const Program *p, const DeployImage *im, const DeployOptions *o, DeployStats *stats,
                         char *err, size_t errSize);
/* Change record's row on list (model NULL: the list's, from camp_list):
** action "add" (member, joined now, not removed), "remove", "undo-remove",
** "subscribe", "unsubscribe", "leave" (no longer a manual member, the
** remove_from_list action); logged in camp_list_log with at and detail
** (may be NULL).  1 changed, 0 nothing to do (already so), -1 error (an
** unknown list or action says so in err).  Inside the caller's
** transaction.  The /u/ page unsubscribes with action "unsubscribe". */
int campStoreListSet(Engine *e, const char *list, const char *model, int64_t record, const char *action, int64_t at,
                     const char *detail, char *err, size_t errSize);
/* record's row on list into *row; 1 found, 0 none, -1 error. */
int campStoreListRow(Engine *e, const char *list, const char *model, int64_t record, StoreListRow *row);
/* A message went to record through list: contacted + 1, last_contacted =
** at (the row made with member = 0 when there is none).  0 or -1. */
int campStoreListContacted(Engine *e, const char *list, const char *model, int64_t record, int64_t at);
/* Called per record with it as the current record and its row (r NULL:
** the participant's record is gone).  Non-zero stops the walk. */
typedef int (*StoreListFn)(void *ctx, int64_t id, const VmRecord *r, const StoreListRow *row);
/* The records of list li of p in id order with their rows, as what says:
** LIST_WALK_MEMBERS: every record of the model for a dynamic list, only
** those with a row otherwise; LIST_WALK_ALL: every record of the model;
** LIST_WALK_NEWCOMERS: LIST_WALK_MEMBERS less the records that are (non-
** test) participants of campaign arg; LIST_WALK_ONE: record arg, if it
** exists (fn not called otherwise). */
typedef enum { LIST_WALK_MEMBERS, LIST_WALK_ALL, LIST_WALK_NEWCOMERS, LIST_WALK_ONE } ListWalk;
int campStoreListEach(Engine *e, const Program *p, uint32_t li, ListWalk what, int64_t arg, StoreListFn fn, void *ctx,
                      char *err, size_t errSize);
/* The running non-test participants of l's campaign with their record and
** row on the campaign's list (id: participant). */
int campStoreListParticipants(Engine *e, const Loaded *l, StoreListFn fn, void *ctx, char *err, size_t errSize);
/* The program of the deployed list named name (from camp_image; the
** caller frees it) and its index in *li; NULL with the message in err
** (an unknown list: "no list 'x' is deployed"). */
Program *campStoreListProgram(Engine *e, const char *name, uint32_t *li, char *err, size_t errSize);
/* The names of the deployed lists in name order (*names malloc'd, each
** string too); -1 error. */
int campStoreListNames(Engine *e, char ***names, size_t *n, char *err, size_t errSize);
/* When the list was last refreshed (INT64_MIN: never). */
int64_t campStoreListRefreshed(Engine *e, const char *list);
/* Replace an on-demand list's snapshot with ids (sorted ascending, n of
** them): rows of ids become members (joined at now when new), the other
** members stop being ones (those contacted stay, when keep), refreshed_at
** = at; logged once.  *joined, *left, *kept get the counts. */
int campStoreListRefresh(Engine *e, const char *list, const char *model, const int64_t *ids, size_t n, int keep,
                         int64_t at, long *joined, long *left, long *kept, char *err, size_t errSize);
/* The records of model whose field equals value (as text, or without
** case), in id order (*ids malloc'd); -1 error.  field must be one of
** the model's (the caller checks: SQLite reads an unknown quoted name as
** a string). */
int campStoreListFind(Engine *e, const char *model, const char *field, const char *value, int64_t **ids, size_t *n,
                      char *err, size_t errSize);
/* The list's change log, oldest first: fn per entry (record 0: about the
** whole list, detail may be NULL); non-zero from fn stops and is returned. */
typedef int (*StoreListLogFn)(void *ctx, int64_t record, const char *action, int64_t at, const char *detail);
int campStoreListLog(Engine *e, const char *list, StoreListLogFn fn, void *ctx, char *err, size_t errSize);

/* -- participants ------------------------------------------------------------ */

/* Called per row with the row's record as the current record (r is NULL
** when the record is gone).  Non-zero stops the walk and is returned. */
typedef int (*StoreRowFn)(void *ctx, int64_t id, const VmRecord *r);
/* The running, non-test participants of l's campaign (id: participant). */
int campStoreEachParticipant(Engine *e, const Loaded *l, StoreRowFn fn, void *ctx, char *err, size_t errSize);
/* The records of l's model that are not yet participants, in id order
** (id: record).  A campaign that goes to a list walks it instead
** (campStoreListEach, store_list.c). */
int campStoreEachNewcomer(Engine *e, const Loaded *l, StoreRowFn fn, void *ctx, char *err, size_t errSize);
/* A participant leaves (gone == 1: its record was deleted: unlinked) and
** its pending traces are canceled with why. */
int campStoreLeave(Engine *e, int64_t participant, int gone, const char *why, int64_t now);
/* Is unique value v (lower case) taken by a participant of the campaign? */
int campStoreUniqueTaken(Engine *e, int64_t campaign, const char *v);
/* A new running participant; *participant gets its id. */
int campStoreEnrol(Engine *e, int64_t campaign, int64_t record, const char *uniq, int test, int64_t now,
                   int64_t *participant);
/* The test participant of record in campaign; 0 none. */
int64_t campStoreTestParticipant(Engine *e, int64_t campaign, int64_t record, char *err, size_t errSize);
/* Complete the participant when it runs and has nothing pending: 1 when it
** did, 0 not, -1 error. */
int campStoreComplete(Engine *e, int64_t participant);
/* The same for every running participant of a campaign (after a deploy). */
int campStoreCompleteCampaign(Engine *e, int64_t campaign);

/* -- traces ------------------------------------------------------------------ */

/* Until the transaction ends, this runner alone enrols campaign's records
** (PostgreSQL: an advisory lock other workers wait on; SQLite: its one
** writer already is).  0, or -1. */
int campStoreLockCampaign(Engine *e, int64_t campaign);

/* Up to max due traces at now that no live runner owns (interrupted sends
** first, then scheduled ones, by due time), of running participants of
** running campaigns -- or, test == 1, of test participants (only of
** participant when not 0); of campaign only when not 0.  Returns how
** many, or -1. */
int campStoreTakeDue(Engine *e, int64_t now, int test, int64_t participant, int64_t campaign, DueTrace *out, int max,
                     char *err, size_t errSize);
/* A new trace.  TRACE_SCHEDULED: due at due, from base (the time its delay
** counts from); TRACE_WAITING: armed for an event on parent, until due
** (hasDue == 0: no end). */
int campStoreSpawn(Engine *e, int64_t participant, int64_t activity, int64_t parent, int state, int64_t due, int hasDue,
                   int64_t base);
/* Hold a scheduled trace until due (a send window's next opening, a
** frequency cap's room), noting why in its message; its first due time is
** kept (due0). */
int campStoreHold(Engine *e, int64_t trace, int64_t due, const char *note);
/* Record the path a branch node's trace took (or the variant an A/B
** winner sent), 0-based. */
int campStoreSetPath(Engine *e, int64_t trace, int path);
/* Set a trace's final state (processed, rejected, canceled, error) with
** its message (or NULL) at doneAt. */
int campStoreSetTrace(Engine *e, int64_t trace, int state, const char *msg, int64_t doneAt);
/* Claim a send: TRACE_SENDING with its Message-ID, its link list (0 none),
** owned by this runner. */
int campStoreClaimSend(Engine *e, int64_t trace, const char *messageId, int64_t linkset);
/* Claim an action's queued webhooks (TRACE_SENDING, owned by this runner). */
int campStoreClaimHooks(Engine *e, int64_t trace);
/* Settle this runner's claim owner on trace: final state and message.  1
** done, 0 the claim is another runner's now, -1 error. */
int campStoreSettle(Engine *e, int64_t trace, int64_t owner, int state, const char *msg, int64_t doneAt);
/* Put a claim back in line for any runner at due, one attempt more, with
** the same Message-ID. */
int campStoreRetry(Engine *e, int64_t trace, int64_t owner, int64_t due, const char *msg);
/* Let a claim go untouched (a stopping run): it stays TRACE_SENDING with
** its Message-ID for the next runner. */
int campStoreRelease(Engine *e, int64_t trace, int64_t owner);
/* The image index of a trace's activity in the current version; -1 gone. */
int campStoreTraceActivity(Engine *e, int64_t trace);
/* Cancel the armed traces whose window ended by now; *participants
** (malloc'd) get their participants.  Returns how many, or -1. */
long campStoreExpireWindows(Engine *e, int64_t now, int64_t **participants, char *err, size_t errSize);
/* When the next trace is due or a window ends (INT64_MAX: nothing);
** test == 1: only test participants' traces. */
int64_t campStoreNextDue(Engine *e, int test);
/* Make the participant's scheduled trace of activity due at now; 1 done,
** 0 it has none. */
int campStoreDueNow(Engine *e, int64_t participant, int64_t activity, int64_t now, char *err, size_t errSize);
/* Print one participant's traces, as camp test shows them. */
int campStoreParticipantTimeline(Engine *e, int64_t participant, FILE *out, char *err, size_t errSize);
/* The name of a trace state ("scheduled" … "sending"); "?" for others. */
const char *campStoreStateName(int state);

/* -- messages ---------------------------------------------------------------- */

/* The id of a message's list of link targets ('\n'-terminated lines),
** added when new; 0 on a database error. */
int64_t campStoreLinkset(Engine *e, const char *targets, size_t len);
/* Suppress an address on a channel (sms: 0 email, 1 sms) for reason:
** 1 added, 0 already there, -1 error. */
int campStoreSuppress(Engine *e, int sms, const char *addr, size_t len, const char *reason, int64_t at,
                      char *err, size_t errSize);
/* Is the address suppressed on the channel (sms: 0 email, 1 sms)?  1 yes,
** 0 no, -1 error. */
int campStoreSuppressed(Engine *e, int sms, const char *addr, size_t len, char *err, size_t errSize);
/* The webhooks queued for trace, in order (*urls, *bodies and each string
** malloc'd); *n how many.  0, or -1. */
int campStoreOutbox(Engine *e, int64_t trace, char ***urls, char ***bodies, int *n);
int campStoreOutboxDrop(Engine *e, int64_t trace);

/* -- events ------------------------------------------------------------------- */

/* The sent message an event names by its whole Message-ID. */
typedef struct StoreMessage {
  int64_t trace, participant, campaign, record;
  int events;               /* EV_* bits already recorded on the trace */
  int active;               /* the campaign is draft or running: events act */
} StoreMessage;
/* A child of a trace: its id, state and activity index (-1 gone); due
** when hasDue (a waiting child's: the end of its window); base, the time
** its delay (a no-event branch's: its window) counts from, INT64_MIN when
** the trace predates it. */
typedef struct StoreChild { int64_t id, due, base; int state, idx, hasDue; } StoreChild;

/* 0 found, 1 no such message (a forged or foreign ID), -1 error. */
int campStoreFindMessage(Engine *e, const char *messageId, StoreMessage *m, char *err, size_t errSize);
/* Store an event (url may be NULL); a repeat counts on the first's row.
** 0 a new row, 1 a repeat, -1 error. */
int campStoreRecordEvent(Engine *e, int64_t trace, const char *kind, int64_t at, const char *url);
int campStoreAddEvents(Engine *e, int64_t trace, int bits);
/* The scheduled or waiting children of trace (*kids malloc'd). */
int campStorePendingChildren(Engine *e, int64_t participant, int64_t trace, StoreChild **kids, int *n);
/* The children of trace whose window passed without their event
** (canceled by campStoreExpireWindows or campStoreCloseWindow). */
int campStoreClosedChildren(Engine *e, int64_t participant, int64_t trace, StoreChild **kids, int *n);
/* The children of the participant's messages processed at or before at,
** for a website visit (sched_visit.c): the scheduled or waiting ones, or
** (closed != 0) those canceled because their window passed. */
int campStoreVisitChildren(Engine *e, int64_t participant, int64_t at, int closed, StoreChild **kids, int *n);
/* A waiting trace whose window ended at end, before its event came:
** canceled as campStoreExpireWindows cancels it. */
int campStoreCloseWindow(Engine *e, int64_t trace, int64_t end);
/* An armed trace becomes scheduled: due at due, its delay counted from base. */
int campStoreMakeDue(Engine *e, int64_t trace, int64_t due, int64_t base);
/* Suppress the address trace's message went to (the record's email or
** phone, by the activity's kind as stored), for reason. */
int campStoreSuppressTrace(Engine *e, const Loaded *l, int64_t trace, int64_t record, const char *reason, int64_t at,
                           char *err, size_t errSize);
/* Is a transaction open on e? */
int campStoreInTransaction(Engine *e);

/* -- runners and the clock ------------------------------------------------------ */

/* Inside a write transaction: register this process as a runner (once)
** and beat its heart, forgetting dead runners (store_runner.c). */
int campStoreRunnerBeat(Engine *e, char *err, size_t errSize);
/* A heartbeat for runner owner while its batch is out: 1, 0 when its row
** is gone (another runner judged it dead: its claims are not its own any
** more), -1 on error. */
int campStoreRunnerAlive(Engine *e, int64_t owner);
/* This process's runner id (0 before its first beat). */
int64_t campStoreRunner(Engine *e);
/* At the end of a clean run: forget this runner (what it holds becomes free). */
void campStoreRunnerEnd(Engine *e);
/* Move the simulated clock (only forward). */
int campStoreSetClock(Engine *e, int64_t t);

/* -- what the commands ask of the store ------------------------------------------ */

/* state: "running" or "stopped". */
int campStoreSetState(Engine *e, const char *campaign, const char *state, char *err, size_t errSize);

/* A provider webhook's event id (namespaced by the caller), recorded once:
** 0 the first time, 1 when it was seen before (a replay: do nothing), -1
** on a database error.  Call inside the transaction that records the
** events, so the id and its events are kept together or not at all. */
int campStoreHookSeen(Engine *e, const char *id, int64_t at, char *err, size_t errSize);

/* An SMS reply from phone: when text is STOP (or UNSUBSCRIBE, ARRET, …:
** the whole reply, any case), suppress that phone on the 'sms' channel and
** return 1; 0 when it is not a stop word (nothing changes); -1 on error. */
int campStoreStopReply(Engine *e, const char *phone, const char *text, int64_t at, char *err, size_t errSize);

/* Look up the message of a tracking token's trace and link. */
int campStoreTraceMessage(Engine *e, int64_t trace, char *messageId, size_t idSize);
int campStoreLinkUrl(Engine *e, int64_t trace, uint32_t link, char *url, size_t urlSize);

/* A warning line on out for each running campaign an older camp compiled
** (image version 1: values unescaped); how many, or -1 (store_report.c). */
int campStoreWarnOldImages(Engine *e, FILE *out, char *err, size_t errSize);
/* How many deployed campaigns (mailings included) are in each state:
** draft, running, stopped (store_report.c). */
/* The store's engine and its version, for camp version ("SQLite 3.40.1"). */
const char *campStoreEngineVersion(void);

int campStoreCampaignStates(Engine *e, long *draft, long *running, long *stopped, char *err, size_t errSize);

/* How far a deployed campaign (or mailing) has got (store_counts.c): its
** state ("draft", "running", "stopped") and non-test participants by
** state. */
typedef struct StoreCampaignCounts {
  char state[16];
  int64_t running, completed, left, unlinked;
} StoreCampaignCounts;
int campStoreCampaignCounts(Engine *e, int64_t campaign, StoreCampaignCounts *c, char *err, size_t errSize);
/* One activity's traces of non-test participants, as camp report counts
** them.  name is valid during the call. */
typedef struct StoreActivityCounts {
  const char *name;
  int kind;                 /* ActKind */
  int idx;                  /* its image index in the current version; -1: removed from it */
  int64_t pending;          /* scheduled, armed for an event or being sent (the report's "scheduled") */
  int64_t processed, rejected, canceled, error;
  int64_t sent, opened, clicked, replied, bounced;   /* its messages (email and SMS) */
} StoreActivityCounts;
/* fn per activity the campaign ever had, current ones first in image
** order, then removed ones by name; non-zero from fn stops the walk and is
** returned.  0, or -1 with the message in err. */
typedef int (*StoreCountsFn)(void *ctx, const StoreActivityCounts *c);
int campStoreActivityCounts(Engine *e, int64_t campaign, StoreCountsFn fn, void *ctx, char *err, size_t errSize);

/* What camp status shows (store_status.c), as a JSON object the caller
** owns: database (as given), clock ("real" or "simulated"), now, next_due
** (nextDue, the scheduler's; INT64_MAX: null) and campaigns: per campaign
** and mailing its name, kind, state (draft, running, stopped, or sent: a
** mailing enrolled with nothing pending), version, hash, deployed_at, at
** (mailings), pending (traces), next_due (its first pending trace's due, or
** an unsent mailing's time), participants by state and test_participants.
** NULL with the message in err. */
struct json_t;
struct json_t *campStoreStatus(Engine *e, const char *database, int64_t nextDue, char *err, size_t errSize);

/* The report (store_report.c; docs/report.md says what each number means)
** of campaign, or of every campaign and mailing when NULL, on out: a
** table, JSON (the shape docs/report.schema.json pins, its "version" is
** CAMP_REPORT_VERSION), CSV (one row an activity) or one self-contained
** HTML page (runtime/report_html.c) rendered from the same JSON.  0, or -1
** with the message in err (nothing written then). */
#define CAMP_REPORT_VERSION 1
int campStoreReport(Engine *e, const char *campaign, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* Initiatives (store_initiative.c; docs/RUNTIME.md, "Initiatives").
** campStoreDeployInitiatives, inside the deploy's transaction: upsert the
** image's initiatives, printing each as plan does (new, changed property by
** property, or no changes) to o->out and counting it in *stats; claim each
** one's code in the history (-1 with the message naming the initiative that
** has or had it, and since or until when, when it is or was another's; a
** changed code retires the old one); set every campaign and mailing of the
** image's initiative (NULL: none).  Call it after the image's campaigns are
** stored.  campStoreInitiatives: every initiative with its codes, period,
** budget, scale and members, as a table or JSON.  campStoreReportInitiative:
** the report of the initiative named key or having or having had key as its
** code (table, JSON or HTML: docs/report.md, "Initiatives"); 0, or -1 with
** the message in err. */
int campStoreDeployInitiatives(Engine *e, const Program *p, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize);

/* -- ESP syncs (docs/SYNC.md) ------------------------------------------------------------- */

/* Deployed syncs (store_sync.c).  campStoreDeploySyncs, inside the
** deploy's transaction: upsert the image's syncs into camp_sync (the image
** kept in camp_image for their field templates), printing what changed as
** plan does; a changed provider, audience, address book or segment
** forgets the remote id, cursors and seen activity.  campStoreSyncProgram:
** the program of deployed sync name (caller frees) and its index in *si,
** or NULL with the message in err.  campStoreSyncNames: the deployed
** syncs' names in name order.  campStoreSyncEspName: "mailchimp",
** "dotdigital". */
int campStoreDeploySyncs(Engine *e, const Program *p, const DeployImage *im, const DeployOptions *o, DeployStats *stats,
                         char *err, size_t errSize);
Program *campStoreSyncProgram(Engine *e, const char *name, uint32_t *si, char *err, size_t errSize);
int campStoreSyncNames(Engine *e, char ***names, size_t *n, char *err, size_t errSize);
const char *campStoreSyncEspName(int esp);
/* -- sync state: remote ids, cursors, runs (store_sync_state.c, the sync engine's) -- */
/* campStoreSyncCursor: sync's cursor key into out (size bytes); 1 found,
** 0 none (out ""), -1 error.  campStoreSyncCursorSet: set it (value NULL:
** forget it); 0 or -1 (sqlite3_errmsg).  campStoreSyncRemote: the
** provider's id of sync's segment / address book; 1 known, 0 not (out ""),
** -1.  campStoreSyncRemoteSet: keep it (NULL or "": forget).
** campStoreSyncRan: sync ran at `at`, ending with error (NULL: it
** succeeded).  campStoreSyncDue: the syncs with `every` whose period has
** passed since their last run at now (never run: due), in name order
** (*names malloc'd, each string too).  campStoreSyncList: every deployed
** sync with its provider, remote, last run and last error (camp sync
** --list). */
int campStoreSyncCursor(Engine *e, const char *sync, const char *key, char *out, size_t size);
int campStoreSyncCursorSet(Engine *e, const char *sync, const char *key, const char *value);
int campStoreSyncRemote(Engine *e, const char *sync, char *out, size_t size);
int campStoreSyncRemoteSet(Engine *e, const char *sync, const char *remoteId);
int campStoreSyncRan(Engine *e, const char *sync, int64_t at, const char *error);
int campStoreSyncDue(Engine *e, int64_t now, char ***names, size_t *n, char *err, size_t errSize);
int campStoreSyncList(Engine *e, FILE *out, char *err, size_t errSize);
/* -- sync imports: unsubscribes, suppressions, ESP mailings and their activity (store_sync_import.c) -- */
/* campStoreSyncAddrIndex: (re)build this connection's index of model's
** records by address (field's text trimmed and lower-cased, those with an
** '@'); campStoreSyncAddrEach: fn(ctx, record) for each record of model
** whose address is addr (lower-cased), in id order, from that index (built
** first); non-zero from fn stops and is returned, -1 error.
** campStoreSyncConnected: the lists of every deployed sync to esp's remote
** (name order; *lists malloc'd, each string too).  campStoreSyncSeen: was
** activity key of sync imported (1) or not (0); mark: record it now.
** campStoreSyncMailingFind: the campaign whose (transport, esp_id) it is
** (0 none, -1 error), when it was sent (INT64_MIN: not) and its name
** (malloc'd; NULL: none); campStoreSyncNameTaken: 1 a campaign has that name;
** campStoreSyncMailingMark: campaign is transport's esp id, running and
** sent at sentAt; campStoreSyncMailingActivity: its email activity's id.
** campStoreSyncMessage: m's participant (completed) and its trace of
** m->activity (processed at m->at) -- found, or with create made (fresh:
** SYNC_NEW_PARTICIPANT, SYNC_NEW_TRACE = it needs its Message-ID, which
** campStoreSyncMessageId sets); *trace 0 when absent and !create.
** campStoreSyncEventSet: trace's events of kind (and url) set to total
** (one row, repeats = total - 1; total 0: none); campStoreSyncEventCount:
** their count now.  campStoreSyncTracked: the ESP ids of the campaigns
** whose activity sync imports (those with an "activity:ID" cursor). */
typedef int (*StoreIdFn)(void *ctx, int64_t id);
typedef struct SyncMessage {
  int64_t campaign, activity, record, at;
  const char *addr;         /* the participant's unique value: the address, lower-cased */
} SyncMessage;
enum { SYNC_NEW_PARTICIPANT = 1, SYNC_NEW_TRACE = 2 };
int campStoreSyncAddrIndex(Engine *e, const char *model, const char *field, char *err, size_t errSize);
int campStoreSyncAddrEach(Engine *e, const char *model, const char *addr, StoreIdFn fn, void *ctx);
int campStoreSyncConnected(Engine *e, const char *esp, const char *remote, char ***lists, size_t *n, char *err, size_t errSize);
int campStoreSyncSeen(Engine *e, const char *sync, const char *key, int mark);
int64_t campStoreSyncMailingFind(Engine *e, const char *transport, const char *espId, int64_t *sentAt, char **name,
                                 char *err, size_t errSize);
int campStoreSyncNameTaken(Engine *e, const char *name);
int campStoreSyncMailingMark(Engine *e, int64_t campaign, const char *transport, const char *espId, int64_t sentAt,
                             char *err, size_t errSize);
int64_t campStoreSyncMailingActivity(Engine *e, int64_t campaign, char *err, size_t errSize);
int campStoreSyncMessage(Engine *e, const SyncMessage *m, int create, int64_t *trace, int *fresh);
int campStoreSyncMessageId(Engine *e, int64_t trace, const char *messageId);
int campStoreSyncEventSet(Engine *e, int64_t trace, const char *kind, const char *url, int64_t at, long total);
long campStoreSyncEventCount(Engine *e, int64_t trace, const char *kind, const char *url);
int campStoreSyncTracked(Engine *e, const char *sync, char ***ids, size_t *n, char *err, size_t errSize);
/* -- mailings delivered via an ESP (store_sync_deliver.c) -- */
/* A `via` mailing's row: campStoreSyncDeliverGet reads its transport and
** the provider's campaign id ("" none) and its sent stamp (INT64_MIN: not
** sent); campStoreSyncDeliverSetId keeps the id the provider gave its
** campaign (call it committed, before asking the provider to send);
** campStoreSyncDeliverSent stamps it sent at `at` (once: a stamp stays).
** 0, or -1 with the message in err. */
typedef struct StoreVia {
  char transport[16];       /* "mailchimp", "dotdigital", "" */
  char espId[128];          /* the provider's campaign id, "" */
  int64_t sentAt;           /* camp_campaign.last_sync, INT64_MIN: not sent */
} StoreVia;
int campStoreSyncDeliverGet(Engine *e, int64_t campaign, StoreVia *v, char *err, size_t errSize);
int campStoreSyncDeliverSetId(Engine *e, int64_t campaign, const char *transport, const char *espId, char *err, size_t errSize);
int campStoreSyncDeliverSent(Engine *e, int64_t campaign, int64_t at, char *err, size_t errSize);

/* Websites (store_website.c; docs/RUNTIME.md, "Websites").
** campStoreDeployWebsites, inside the deploy's transaction: upsert the
** image's websites into camp_website, printing what changed as plan does;
** a site_id another deployed website has fails the deploy.  0, or -1 with
** the message in err. */
int campStoreDeployWebsites(Engine *e, const Program *p, const DeployOptions *o, DeployStats *stats, char *err, size_t errSize);
/* Where tracked links land and who may be named there (store_landing.c).
** campStoreLandingContact: when url has the origin (scheme, host, port) of
** a deployed website with link_token on whose target is the model of
** trace's campaign (or that has no target), 1 with that model and the
** participant's record; 0 when not (or no such trace), -1 on a database
** error.  campStoreLandingWebsites: fn on each deployed website (only the
** one named name, unless NULL), in name order; how many, or -1 with the
** message in err (fn returning -1 stops it).  campStoreLandingRecord:
** record id of model (NULL: the only deployed model) exists: 1 with the
** model's name in modelOut; 0 (no such record) or -1 with the message in
** err. */
typedef struct WebsiteRow {
  const char *name, *title, *siteId, *url, *model, *code, *initiative;   /* NULL: none */
  const char *goals;        /* '\n'-joined ("" : none) */
  const char *identify;
  int linkToken;
} WebsiteRow;
typedef int (*WebsiteRowFn)(void *ctx, const WebsiteRow *w);
int campStoreLandingContact(Engine *e, int64_t trace, const char *url, char *model, size_t modelSize, int64_t *record);
int campStoreLandingWebsites(Engine *e, const char *name, WebsiteRowFn fn, void *ctx, char *err, size_t errSize);
int campStoreLandingRecord(Engine *e, const char *model, int64_t id, char *modelOut, size_t modelSize, char *err, size_t errSize);
int campStoreInitiatives(Engine *e, ReportFormat fmt, FILE *out, char *err, size_t errSize);
/* The report of the website named key, or having key as its site_id
** (store_webreport.c; docs/report.md, "Websites"): its visits, unique
** visitors, page views, events by name, conversions and revenue, and the
** series in buckets of scale (0: SCALE_DAY); table, JSON or HTML.  Pending
** hits are the caller's to group first.  0, or -1 with the message in err. */
int campStoreReportWebsite(Engine *e, const char *key, int scale, ReportFormat fmt, FILE *out, char *err, size_t errSize);
int campStoreReportInitiative(Engine *e, const char *key, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* Suppression lists (store_suppress.c).  channel: "email", "sms", or NULL
** to take it from the address (an '@' makes it email); channelOut gets
** the one used, *addressOut (when not NULL; the caller frees it) the
** address as stored.  Add (remove == 0, reason NULL: "manual"; an address that
** is not one is an error) or remove one address: 1 when that changed
** something, 0 when there was nothing to do, -1 on error. */
int campStoreSuppressEdit(Engine *e, const char *channel, const char *address, const char *reason, int remove,
                       char channelOut[8], char **addressOut, char *err, size_t errSize);
/* Every suppressed address (of channel, or all when NULL): channel,
** address, time, reason. */
int campStoreSuppressionList(Engine *e, const char *channel, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* Every trace (of campaign and of record, when not NULL), participant by
** participant, each one's in time order (scenarios, support, the
** Message-IDs camp event needs).  fmt: REPORT_TABLE (one text line a
** trace, then its Message-ID and the events received on it, indented) or
** REPORT_JSON ({"traces": [...]}: campaign, record, test, participant,
** activity, state, due, done, attempts, events, message_id, message,
** received). */
int campStoreTimeline(Engine *e, const char *campaign, const int64_t *record, ReportFormat fmt, FILE *out,
                      char *err, size_t errSize);

/* Import the CSV file path into a model table (runtime/store_import.c):
** a header row naming fields of the model, then one record per row, fields
** separated by delimiter (0: ','); with key, a record whose key field
** matches an existing row updates it.  All or nothing: each bad value is
** printed to errs as PATH:LINE: error: column 'NAME': ..., and then -1
** with the count in err and nothing written. */
int campStoreImport(Engine *e, const char *model, const char *key, const char *path, int delimiter, FILE *errs,
                     long *added, long *updated, char *err, size_t errSize);

/* The same for camp test's records file (comma-separated, no key): a
** column `record` is not a field but each row's name, handed with the new
** record's id to fn(ctx, name, id) ("" when there is no such column). */
typedef void (*StoreImportNameFn)(void *ctx, const char *name, int64_t id);
int campStoreImportNamed(Engine *e, const char *model, const char *path, FILE *errs, StoreImportNameFn fn, void *ctx,
                         long *added, char *err, size_t errSize);

/* Names for shell completion (runtime/store_names.c): fn(ctx, name) for
** each campaign and mailing of the database at path (campaign NULL), or
** for each activity of the named campaign.  The database is opened read
** only and never changed.  Returns how many names, or -1 when there is no
** readable camp database there (nothing is printed). */
typedef void (*StoreNameFn)(void *ctx, const char *name);
int campStoreNames(const char *path, const char *campaign, StoreNameFn fn, void *ctx);

/* -- mailings (store_mailing.c) ---------------------------------------------------- */

/* A deployed campaign or mailing as camp send sees it. */
typedef struct StoreMailing {
  int64_t id;
  int mailing;              /* its kind is mailing (else an automation campaign) */
  char state[16];           /* draft, running, stopped */
  int64_t at;               /* its time: CAMP_AT_MANUAL by camp send, 0 when started (old images) */
  int64_t sentAt;           /* when it enrolled its list (camp_campaign.last_sync); INT64_MIN: not sent */
  int64_t pending;          /* its messages not yet sent (scheduled or being sent) */
} StoreMailing;
/* The campaign or mailing named name: 0 found, 1 none deployed, -1 error. */
int campStoreMailingGet(Engine *e, const char *name, StoreMailing *m, char *err, size_t errSize);
/* "manual", "deferred" or "when started" for a mailing's stored time. */
const char *campStoreMailingSchedule(int64_t at);
/* On a campaign's or mailing's JSON object in the report or status:
** "abuse_reports" (messages reported as abuse), and for a mailing
** "schedule", "at" (null unless deferred) and "sent_at" (null: not
** sent); one delivered through an ESP (or imported from one) also
** "transport" and "esp_id".  0, or -1 with the message in err. */
int campStoreMailingJson(Engine *e, int64_t campaign, struct json_t *c, char *err, size_t errSize);
/* The default sender (camp_meta 'sender'), malloc'd, or NULL when none is
** set: what an email or mailing without `from` is sent from. */
char *campStoreMailingSender(Engine *e);
/* Set it (value NULL or "": unset).  0, or -1 with the message in err. */
int campStoreMailingSetSender(Engine *e, const char *value, char *err, size_t errSize);
/* The list the message of trace was sent to (its campaign's or mailing's
** list): 1 with *name and *title (malloc'd), 0 none (or no such trace),
** -1 error. */
int campStoreMailingTraceList(Engine *e, int64_t trace, char **name, char **title);
/* How many records unsubscribed from the list of campaign (a mailing's)
** and not removed from it are not its participants: the members its send
** set left out as unsubscribed.  -1 with the message in err. */
long campStoreMailingUnsubscribed(Engine *e, int64_t campaign, char *err, size_t errSize);
/* The statistics per member of a mailing (or campaign): one row per
** participant with its record, address, trace state, sent time, opens,
** clicks, bounces, unsubscribes and abuse reports, derived from the traces
** and camp_event; as a table, JSON ({"mailing":..., "members":[...]}) or
** CSV on out.  0, or -1 with the message in err (nothing written). */
int campStoreMailingMembers(Engine *e, const char *name, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* -- website hits and visits (docs/RUNTIME.md, "Websites") ---------------------------- */

/* One accepted hit of the collector (or of `camp event visit`), as
** camp_hit keeps it.  Texts may be NULL (none); the collector has
** checked and capped them. */
typedef struct WebHit {
  const char *site;         /* the website's site_id */
  int64_t at;               /* when it happened (seconds, UTC) */
  const char *visitor;      /* the tracker's visitor id (`_id`), or NULL */
  const char *model;        /* the contact it resolved to: model and record; NULL and 0: anonymous */
  int64_t record;
  const char *url, *title, *referrer;
  const char *name;         /* the event name: e_n, else e_a for an event, else "visit" (a page view) */
  const char *category, *action;
  double value;             /* e_v, else 1 */
  const char *code;         /* the campaign code: _rcn, pk/mtm/utm_campaign of the URL, else the site's */
  const char *source, *medium, *keyword;
  const char *ip;           /* anonymised unless the server was told to keep it whole */
  const char *ua;
  const char *uaClass;      /* "desktop", "mobile" or "bot" */
} WebHit;

/* A deployed website as the collector needs it (malloc'd texts; NULL:
** none): its name, target model, identify field and default code. */
typedef struct StoreSite {
  char *name, *model, *identify, *code;
} StoreSite;

/* The deployed website whose site_id is siteId (store_website.c), into
** *out (free it with campStoreSiteFree): 1 found, 0 none, -1 error with
** the message in err. */
int campStoreSiteFind(Engine *e, const char *siteId, StoreSite *out, char *err, size_t errSize);
void campStoreSiteFree(StoreSite *w);

/* Append h to camp_hit, ungrouped (store_hit.c).  Inside the caller's
** transaction; 0, or -1 (the message: campStoreError). */
int campStoreHitAdd(Engine *e, const WebHit *h);

/* What a contact's hit needs from the store (store_visit_trace.c).
** campStoreVisitParticipants: the running participants (test ones too) of
** record in the draft or running campaigns over model, in *v (malloc'd),
** by campaign then participant id; 0, or -1 (campStoreError).
** campStoreVisitUrls: fn(ctx, url) for each URL of record's hits (model
** and record_id; bots' left out) at since .. until, in no set order,
** until fn returns non-zero (returned); 0 when none did, -1 error. */
typedef struct StoreParticipation { int64_t participant, campaign; } StoreParticipation;
int campStoreVisitParticipants(Engine *e, const char *model, int64_t record, StoreParticipation **v, size_t *n);
typedef int (*StoreUrlFn)(void *ctx, const char *url, size_t len);
int campStoreVisitUrls(Engine *e, const char *model, int64_t record, int64_t since, int64_t until, StoreUrlFn fn, void *ctx);

/* Group every ungrouped hit into visits (store_visit.c): per (site,
** visitor, contact) key, a hit joins the key's visit whose last hit is at
** most 30 minutes before it, else starts one.  Inside the caller's
** transaction; the number of hits grouped, or -1 with the message in err. */
long campStoreVisitsGroup(Engine *e, char *err, size_t errSize);
/* Are there hits to group?  1 yes, 0 no, -1 error (campStoreError). */
int campStoreVisitsPending(Engine *e);

/* Which visits `camp visits` lists (campStoreVisitsList, store_visit.c). */
typedef struct StoreVisitQuery {
  const char *website;      /* a website's name or site_id; NULL: every website */
  const char *model;        /* with hasRecord: that record's visits (model NULL: of any model) */
  int hasRecord;
  int64_t record;
  const char *initiative;   /* its name or any code it has or had: visits whose code is one it has or had */
  int64_t since;            /* visits that began at or after it (INT64_MIN: all) */
  int bots;                 /* bots' visits too (else left out) */
} StoreVisitQuery;
/* The visits q asks for, newest first, as a table or JSON ({"visits":
** [...]}: website, site_id, visitor, model, record, first_at, last_at,
** pages, events, referrer, code, source, medium, ip, ua_class, bot).  An
** unknown website or initiative is an error.  0, or -1 with the message in
** err.  Grouping pending hits is the caller's (campStoreVisitsGroup). */
int campStoreVisitsList(Engine *e, const StoreVisitQuery *q, ReportFormat fmt, FILE *out, char *err, size_t errSize);
/* The one model that has hits (*model malloc'd): 1, 0 none, 2 several, -1 error. */
int campStoreVisitsModel(Engine *e, char **model, char *err, size_t errSize);
/* GDPR erasure of a contact's web traces (inside the caller's
** transaction): its hits and visits, and the anonymous hits and visits of
** every visitor id it was seen with; another contact's rows stay, whatever
** their visitor id.  *f: how many visits, hits and visitor ids.  0, or -1
** with the message in err. */
typedef struct StoreForgotten { long visits, hits, visitors; } StoreForgotten;
int campStoreVisitsForget(Engine *e, const char *model, int64_t record, StoreForgotten *f, char *err, size_t errSize);

/* -- time helper: the database's timing settings (store_meta.c) ---------------------- */

/* camp_meta's text value of key ("timezone", "window.email", "window.sms",
** "cap.email", "cap.sms") into out (cut to size): 1 found, 0 not set, -1
** error. */
int campStoreMetaText(Engine *e, const char *key, char *out, size_t size);
/* Set key to value (NULL: unset); the caller has checked it.  0, or -1
** with the message in err. */
int campStoreMetaSetText(Engine *e, const char *key, const char *value, char *err, size_t errSize);

/* -- cap helper: the send log of frequency caps (store_cap.c) ----------------
** Inside the caller's transaction (the batch that claims the send).  sms: 0
** the email channel, 1 sms.  contact: the address as camp_suppression keys
** it (campStoreCapContact: malloc'd, NULL out of memory; an email address
** lower case, a phone number without separators).  campaign 0: every
** campaign's sends, else that campaign's only.  campStoreCapCount: the
** contact's sends logged at a time after since, or -1.  campStoreCapNth:
** *at the time of the k-th oldest of them (0 the oldest): 1, 0 when there
** are not that many, -1 error.  campStoreCapLog: log a send of trace at time at (0
** or -1).  (The database's caps are camp_meta texts: campStoreMetaText.) */
char *campStoreCapContact(int sms, const char *to);
long campStoreCapCount(Engine *e, int sms, const char *contact, int64_t campaign, int64_t since);
int campStoreCapNth(Engine *e, int sms, const char *contact, int64_t campaign, int64_t since, long k, int64_t *at);
int campStoreCapLog(Engine *e, int sms, const char *contact, int64_t campaign, int64_t trace, int64_t at);

/* -- split helper: branch nodes and A/B tests (store_branch.c) ---------------
** campStoreBranchChoose: an A/B winner's trace sends variant path (its
** path column) and says why (its message).  campStoreBranchChosen: what
** campStoreBranchChoose recorded on trace: 1 with *path and note, 0 none,
** -1 error.  campStoreBranchPaths: how many traces of activity (its store
** id) of non-test participants recorded each path 0 .. n-1 (a node's: the
** participants that took it; a winner's: the variant it sent) into
** counts.  campStoreReportBranches: for a campaign whose current version
** has split, if or A/B test nodes, its report object c (with its
** "activities" counted) gets "branches" (docs/report.md); nothing
** otherwise.  0, or -1 with the message in err. */
int campStoreBranchChoose(Engine *e, int64_t trace, int path, const char *note);
int campStoreBranchChosen(Engine *e, int64_t trace, int *path, char *note, size_t noteSize);
/* The choice an A/B winner activity (its store id) made first, on any of
** its traces but test participants': 1 with *path and its note, 0 none
** yet, -1 error.  Reads the traces without an index: called once per
** process and test (sched_branch.c keeps the answer). */
int campStoreWinnerChosen(Engine *e, int64_t activity, int *path, char *note, size_t noteSize);
int campStoreBranchPaths(Engine *e, int64_t activity, int64_t *counts, uint32_t n, char *err, size_t errSize);
int campStoreReportBranches(Engine *e, int64_t campaign, struct json_t *c, char *err, size_t errSize);


/* -- what camp test reads back (store_test.c) ------------------------------------ */

/* A record's latest trace of an activity (test participants aside). */
typedef struct StoreTestTrace {
  int found, state;
  int64_t id, due, doneAt;      /* INT64_MIN: none */
  char messageId[128];          /* "" when no message went out */
  char note[256];               /* the trace's message ("" none) */
} StoreTestTrace;
/* The id the last record insert on e was given. */
int64_t campStoreTestLastRecord(Engine *e);
/* campaign's activity's latest trace of record into *t (t->found 0: none).
** 0, or -1 with the message in err. */
int campStoreTestTrace(Engine *e, const char *campaign, const char *activity, int64_t record, StoreTestTrace *t,
                       char *err, size_t errSize);
/* record's participant state in campaign into state: 1, 0 not a
** participant, -1 error. */
int campStoreTestState(Engine *e, const char *campaign, int64_t record, char *state, size_t size,
                             char *err, size_t errSize);
/* The value of model's field of record: an int, real or text (*text
** malloc'd and held by out; the caller frees it) or null.  0, or -1. */
int campStoreTestField(Engine *e, const char *model, int64_t record, const char *field, Value *out, char **text,
                       char *err, size_t errSize);
/* record's address on a channel (sms 0: email, 1: sms): the value of the
** model's first email field (first phone field) into out.  1, 0 when the
** model has no such field or the record no value in it, -1 error. */
int campStoreTestAddress(Engine *e, const char *model, int64_t record, int sms, char *out, size_t size,
                         char *err, size_t errSize);
/* Is addr suppressed on the channel?  1 yes (with its reason and time),
** 0 no, -1 error. */
int campStoreTestSuppression(Engine *e, int sms, const char *addr, char *reason, size_t size, int64_t *at,
                             char *err, size_t errSize);

/* -- camp migrate (store_move.c) ------------------------------------------ */

/* What a copy did; table, when set, is called after each table is copied. */
typedef struct MoveStats {
  int tables;                   /* tables copied (the camp_* ones and the model tables) */
  int64_t rows;                 /* rows copied */
  int64_t repaired;             /* texts PostgreSQL would refuse, their bad bytes made '?' */
  double seconds;               /* wall time */
  void (*table)(void *ctx, const char *name, int64_t rows);
  void *ctx;
} MoveStats;

/* Copy the whole camp database from (a SQLite file or a postgresql:// URL)
** into a new one at to (the same): every camp_* table but camp_runner's rows,
** every model table, the secret and the clock, in one transaction on the
** target, each table's count, id sum and max checked before the commit.  A
** SQLite target must not exist (it is written beside and renamed when
** complete); a PostgreSQL one must have no camp tables.  0, or -1 with one
** line in err (never a URL's password) and nothing written. */
int campStoreMove(const char *from, const char *to, MoveStats *stats, char *err, size_t errSize);

#endif
