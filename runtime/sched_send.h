/*
** runtime/sched_send.h -- what the scheduler's files share (private to them).
**
** Owns: a decided send (Outgoing) and a batch of them on its way to the
** channels (Batch).  sched.c decides; sched_send.c sends and records.
*/
#ifndef CAMP_SCHED_SEND_H
#define CAMP_SCHED_SEND_H

#include <pthread.h>
#include "runtime/sched.h"
#include "runtime/store.h"

/* How many times in a row a transaction that failed for a cause a retry may
** cure (campStoreRetryable: PostgreSQL restarted, a deadlock) runs again
** before the run gives up and says why. */
#define SCHED_RETRIES 50

/* One claimed send: a message, or an action's webhooks. */
typedef struct Outgoing {
  DueTrace *w;
  const Loaded *l;          /* valid only until the next batch is decided: finishing looks it up again */
  int version;              /* of l, when the message was decided */
  char *code;               /* the campaign code (owned: the send outlives l) */
  char *subject, *html, *text, *from, *to, *toName, *unsub;
  char *fromName, *fromAddr;    /* split from `from` when sending, each sized to it */
  char *list, *listModel;   /* the campaign's list and its model, or NULL: a send counts on the member's row */
  char *note;               /* the sent trace's message (an A/B winner's choice), or NULL */
  int sms;
  int hook;                 /* webhooks of an action: POST hookBody[i] to hookUrl[i] */
  int nhook;
  char **hookUrl, **hookBody;
} Outgoing;

/* A batch of due work: decided and claimed in one transaction (take),
** sent outside any transaction on its own thread while the next batch is
** decided, and recorded by that thread as the results come in. */
typedef struct Batch {
  DueTrace *work;
  Outgoing *out;
  int n, nout;
  Message *m;               /* the messages, mail first, then SMS */
  SendStatus *ss;
  int *order;               /* m[j] is out[order[j]] */
  int nmail, nmsg;          /* m[0, nmail) mail, [nmail, nmsg) SMS, [nmsg, nout) webhooks (no Message) */
  Channel *mail, *sms;
  pthread_t thread;
  int sending;              /* the thread runs */
  /* recording (on the send thread) */
  Engine *rec;              /* the connection results are written on (the engine's recorder, or the engine) */
  int64_t owner, now;
  int first;                /* offset of the channel now sending in m */
  int eager;                /* record each result as it comes (the carrier does not dedupe) */
  int *pending, npending;   /* results final but not yet recorded (indexes in m) */
  RunStats st;              /* what recording counted */
  int failed;
  char err[512];
  volatile sig_atomic_t *stop;
  FILE *log;                /* the run's log (RunOptions.log) */
  volatile sig_atomic_t lost;   /* this runner was judged dead while the batch was out: start no more of it */
} Batch;

/* sched.c: "TIMESTAMP run: MESSAGE" on log (stderr when NULL), a line of
** the run's log (cut at 1 KiB). */
void campSchedLog(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* sched.c: the children of activity act once its trace was processed at
** now (spawned set when there are any); complete a participant with
** nothing pending (counted in st when not NULL). */
int campSchedChildren(Engine *e, const Loaded *l, uint32_t act, int64_t trace, int64_t participant, int64_t record,
                      int64_t now, int *spawned);
/* The children of a branch node on one of its paths (path -1: all
** children, campSchedChildren). */
int campSchedPath(Engine *e, const Loaded *l, uint32_t act, int path, int64_t trace, int64_t participant, int64_t record,
                  int64_t now, int *spawned);
int campSchedComplete(Engine *e, int64_t participant, RunStats *st);
/* The delay before attempt `attempts + 1` of a send that failed for now,
** or -1 when it has had all its attempts. */
int64_t campSchedBackoff(int attempts);

/* sched_event.c: a waiting positive branch k of l that an event (or a
** website visit, sched_visit.c) at `at` fires: made due at at + its delay
** and counted in *fired -- unless its window ended at or before at: then
** it is closed as a run would have closed it (canceled, the window passed)
** and the first such branch is noted in r (late, branch, windowEnd).
** 0, or -1 (campStoreError). */
int campSchedEventFire(Engine *e, const Loaded *l, const StoreChild *k, int64_t record, int64_t at, EventResult *r, int *fired);

/* sched_host.c: the VmHost for running l's code on the current record;
** trace: the action activity's trace (webhooks queue under it), or 0.
** After the run, hooks says how many webhooks the actions queued, and
** campSchedHookBodies writes their final bodies. */
typedef struct SchedHost {
  VmHost vm;                /* give &vm to the VM */
  Engine *e;
  const Loaded *l;
  int64_t trace;
  int hooks;
} SchedHost;
void campSchedHost(SchedHost *h, Engine *e, const Loaded *l, int64_t trace);
/* A host for a filter run outside a campaign (a list's, by camp list):
** visited() only; in_list() and actions have no host there. */
void campSchedFilterHost(SchedHost *h, Engine *e);
int campSchedHookBodies(SchedHost *h, uint32_t act, char *err, size_t errSize);
/* sched_host.c: list membership (docs/RUNTIME.md, "Lists") from record's
** row on list l and, for a dynamic list, match (its filter's answer):
** campSchedListMember -- a member, not removed (what in_list() and camp
** list show count); campSchedListSendable -- a member not unsubscribed
** either (the send set, before suppression, opt-out and addresses). */
int campSchedListMember(const ProgList *l, int match, const StoreListRow *row);
int campSchedListSendable(const ProgList *l, int match, const StoreListRow *row);
/* The same for the current record (its id: record) of l's campaign and
** the campaign's list: 1 sendable, 0 not, -1 error (in err). */
int campSchedInSendSet(Engine *e, const Loaded *l, int64_t record, VmHost *host, char *err, size_t errSize);

/* sched.c: compose message activity act of l to the current record (its
** address already in out->to) as a send for trace would be (trace 0: a
** preview, whose tracked links and Message-ID name no trace): the
** campaign code, the recipient's name, subject, From, HTML and text with
** their links rewritten to tracked ones -- numbered in *lk, which the
** caller frees with campComposeLinksFree -- and the unsubscribe URL. */
struct ComposeLinks;
void campSchedCompose(Engine *e, const Loaded *l, uint32_t act, int64_t trace, const RunOptions *o, int64_t now,
                      Outgoing *out, struct ComposeLinks *lk);

/* sched_send.c: the Message a channel is handed for og, sent at now
** (og's From split into name and address).  0, or -1 out of memory. */
int campSchedMessageOf(Outgoing *og, const char *messageId, int64_t now, Message *m);

/* sched_send.c: build the batch's messages and start sending them; wait
** for the sends and their recording; free a batch and an Outgoing. */
int campSchedSendStart(Engine *e, Batch *b, const RunOptions *o, int64_t now, char *err, size_t errSize);
int campSchedSendFinish(Engine *e, Batch *b, RunStats *rs, char *err, size_t errSize);
void campSchedBatchFree(Batch *b);
void campSchedOutFree(Outgoing *o);

/* campaign's deployed version with record loaded into it (camp test,
** camp preview); NULL with "no campaign 'x' is deployed", "no record N in
** model 'm'" or the store's message in err. */
const Loaded *campSchedLoadFor(Engine *e, const char *campaign, int64_t record, char *err, size_t errSize);

#endif
