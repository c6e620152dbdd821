/*
** runtime/sched_send.c -- a decided batch on its way out, and back.
**
** Owns: handing a batch's messages to the channels and its webhooks to the
** HTTP carrier on a thread of their own (while sched.c decides the next
** batch), and recording each result as it settles -- on a second
** connection, in small transactions, for carriers that do not dedupe, so
** a crash loses at most the sends in flight.  A result lands only on a
** claim this runner still owns (store.h's settle verbs).  Does not own:
** what is sent (sched.c decides, compose.c writes it) or how (chan_*.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/compose.h"
#include "runtime/sched_send.h"

void campSchedOutFree(Outgoing *o) {
  free(o->subject); free(o->html); free(o->text); free(o->from); free(o->to); free(o->toName); free(o->unsub); free(o->code);
  free(o->fromName); free(o->fromAddr); free(o->list); free(o->listModel); free(o->note);
  for (int i = 0; i < o->nhook; i++) { free(o->hookUrl[i]); free(o->hookBody[i]); }
  free(o->hookUrl); free(o->hookBody);
  memset(o, 0, sizeof *o);
}

void campSchedBatchFree(Batch *b) {
  for (int i = 0; i < b->nout; i++) campSchedOutFree(&b->out[i]);
  free(b->work); free(b->out); free(b->m); free(b->ss); free(b->order); free(b->pending);
  memset(b, 0, sizeof *b);
}

/* The children of a message just sent.  The version may have changed while
** the message was out (a deploy): children follow the version now current,
** by the activity's name. */
static int sentChildren(Engine *e, Outgoing *og, int64_t now) {
  DueTrace *w = og->w;
  char err[256];
  const Loaded *l = campStoreLoaded(e, w->campaign, err, sizeof err);
  if (!l) return 0;
  int idx = l->version != og->version ? campStoreTraceActivity(e, w->trace) : w->actIdx;
  if (idx < 0) return 0;                  /* the activity is gone: no children */
  return campSchedChildren(e, l, (uint32_t)idx, w->trace, w->participant, w->record, now, &w->spawned);
}

/* The run stopped before this send started: the claim is let go, the trace
** stays SENDING with its Message-ID for the next runner. */
static int unsent(Engine *e, int64_t owner, DueTrace *w, RunStats *rs) {
  w->spawned = 1;                             /* still pending: not complete */
  rs->unsent++;
  return campStoreRelease(e, w->trace, owner);
}

/* Sent (or refused for good: bounced): processed, children made. */
static int sent(Engine *e, int64_t owner, Outgoing *og, const SendStatus *ss, int64_t now, RunStats *rs) {
  DueTrace *w = og->w;
  int mine = campStoreSettle(e, w->trace, owner, TRACE_PROCESSED, ss->result == SEND_BOUNCED ? ss->why : og->note, now);
  if (mine <= 0) { w->spawned = 1; return mine; }
  if (og->hook && campStoreOutboxDrop(e, w->trace) < 0) return -1;
  /* a message that went out through a list counts on the member's row, in
  ** the transaction that records it */
  if (og->list && og->listModel && ss->result == SEND_OK && campStoreListContacted(e, og->list, og->listModel, w->record, now) < 0)
    return -1;
  rs->processed++;
  if (!og->hook) rs->sent++;
  int rc = sentChildren(e, og, now);
  /* refused for good at send time (SMTP 5xx to RCPT/DATA): a hard bounce,
  ** recorded as a bounce event is, once its children exist */
  char err[256];
  if (rc == 0 && ss->result == SEND_BOUNCED && campSchedEvent(e, "bounce", w->messageId, now, NULL, err, sizeof err) < 0) rc = -1;
  return rc;
}

/* Record what became of one send, inside a results transaction. */
static int finishSend(Engine *e, int64_t owner, Outgoing *og, const SendStatus *ss, int64_t now, RunStats *rs) {
  DueTrace *w = og->w;
  if (ss->result == SEND_UNSENT) return unsent(e, owner, w, rs);
  if (ss->result == SEND_OK || ss->result == SEND_BOUNCED) return sent(e, owner, og, ss, now, rs);
  int64_t backoff = ss->result == SEND_RETRY ? campSchedBackoff(w->attempts) : -1;
  if (backoff >= 0) {
    /* back in line for any runner, with the same Message-ID */
    char msg[600];
    snprintf(msg, sizeof msg, "attempt %d: %s", w->attempts + 1, ss->why);
    w->spawned = 1;
    rs->retried++;
    return campStoreRetry(e, w->trace, owner, now + backoff, msg);
  }
  int mine = campStoreSettle(e, w->trace, owner, TRACE_ERROR, ss->why, now);
  if (mine > 0 && og->hook && campStoreOutboxDrop(e, w->trace) < 0) return -1;
  if (mine > 0) rs->errors++;
  else w->spawned = 1;
  return mine < 0 ? -1 : 0;
}

/* The batch's runner was judged dead while its messages were out (cut off,
** or stopped, for longer than the lease): another runner owns its claims
** and sends them with the same Message-IDs.  What is on the wire finishes;
** the rest of the batch is not started (its results, under an owner that
** is gone, write nothing). */
static void judgedDead(Batch *b) {
  b->lost = 1;
  campSchedLog(b->log, "this runner was judged dead while its batch was out (no heartbeat for longer than the lease): "
                       "the rest of the batch is left to the runner that owns it now");
}

/* Record the pending results in one transaction.  wait == 0: only if the
** write lock is free now (another runner or the next batch's decisions may
** hold it; the results stay pending for the next try). */
static void recordPending(Batch *b, int wait) {
  Engine *r = b->rec;
  if (!b->npending || b->failed) return;
  /* PostgreSQL restarted, a deadlock: the results are recorded again from
  ** the start, a limited number of times (each lost connection waits to
  ** connect again first) */
  for (int tries = 0;; tries++) {
    RunStats keep = b->st;
    int rc = campStoreBegin(r, wait, NULL, 0);
    if (rc > 0) return;
    int ok = rc == 0;
    for (int k = 0; k < b->npending && ok; k++) {
      int j = b->pending[k];
      ok = finishSend(r, b->owner, &b->out[b->order[j]], &b->ss[j], b->now, &b->st) == 0;
    }
    for (int k = 0; k < b->npending && ok; k++) {
      DueTrace *w = b->out[b->order[b->pending[k]]].w;
      if (!w->spawned) ok = campSchedComplete(r, w->participant, &b->st) == 0;
    }
    int alive = ok ? campStoreRunnerAlive(r, b->owner) : -1;    /* a heartbeat while the batch is out */
    ok = alive >= 0;
    if (alive == 0 && !b->lost) judgedDead(b);
    if (ok && campStoreCommit(r, NULL, 0) == 0) { b->npending = 0; return; }
    snprintf(b->err, sizeof b->err, "database: recording results: %s", campStoreError(r));
    campStoreRollback(r);
    if (!campStoreRetryable(r) || tries >= SCHED_RETRIES) break;
    b->st = keep;
  }
  b->failed = 1;
}

/* Channel.done: message i of the channel now sending is settled. */
static void onSettled(void *ctx, int i) {
  Batch *b = ctx;
  b->pending[b->npending++] = b->first + i;
  if (b->eager) recordPending(b, 0);
}

/* The webhooks of the batch's actions, a trace's at a time, through the
** webhook carrier (chan_http.c): a trace's result is the first of its
** requests' that is not a 2xx (a retry POSTs them all again). */
static void postHooks(Batch *b) {
  if (b->nmsg == b->nout) return;             /* none: a deduping carrier's results stay for finishBatch */
  b->first = 0;
  b->eager = b->rec != NULL;
  for (int j = b->nmsg; j < b->nout; j++) {
    Outgoing *og = &b->out[b->order[j]];
    if (b->lost) b->ss[j] = (SendStatus){ SEND_UNSENT, "not started: another runner owns it now" };
    else campChanHttpPostHooks((const char *const *)og->hookUrl, (const char *const *)og->hookBody, og->nhook, b->stop, &b->ss[j]);
    onSettled(b, j);
  }
  if (b->rec) recordPending(b, 1);
}

/* The send thread: sends the batch and records the results of carriers
** that do not dedupe on its own connection as they come; the rest (file:,
** sink:, or without a recorder) are left for finishBatch. */
static void *sendBatch(void *arg) {
  Batch *b = arg;
  for (int sms = 0; sms < 2; sms++) {
    int first = sms ? b->nmail : 0, k = sms ? b->nmsg : b->nmail;
    Channel *ch = sms ? b->sms : b->mail;
    if (k == first) continue;
    b->first = first;
    b->eager = b->rec && !ch->dedupes;
    ch->done = onSettled;
    ch->doneCtx = b;
    ch->lost = &b->lost;
    ch->send(ch, b->m + first, k - first, b->ss + first);
    ch->done = NULL;
    ch->lost = NULL;
    if (b->eager) recordPending(b, 1);          /* a deduping carrier's results: finishBatch */
  }
  postHooks(b);
  return NULL;
}

int campSchedMessageOf(Outgoing *og, const char *messageId, int64_t now, Message *m) {
  if (campComposeSplitFrom(og->from, &og->fromName, &og->fromAddr) < 0) return -1;
  *m = (Message){ messageId, og->fromName[0] ? og->fromName : NULL, og->fromAddr, og->toName, og->to,
                  og->subject, og->html, og->text, og->unsub, og->code, now };
  return 0;
}

/* The batch's messages in channel order: mail, then SMS, then webhooks. */
static int buildMessages(Batch *b, int64_t now, char *err, size_t errSize) {
  int k = 0;
  for (int sms = 0; sms < 2; sms++) {
    for (int i = 0; i < b->nout; i++) {
      Outgoing *og = &b->out[i];
      if (og->sms != sms || og->hook) continue;
      if (campSchedMessageOf(og, og->w->messageId, now, &b->m[k]) < 0) { snprintf(err, errSize, "out of memory"); return -1; }
      b->order[k++] = i;
    }
    if (!sms) b->nmail = k;
  }
  b->nmsg = k;
  for (int i = 0; i < b->nout; i++) if (b->out[i].hook) b->order[k++] = i;
  return 0;
}

int campSchedSendStart(Engine *e, Batch *b, const RunOptions *o, int64_t now, char *err, size_t errSize) {
  b->m = calloc((size_t)b->nout, sizeof *b->m);
  b->ss = calloc((size_t)b->nout, sizeof *b->ss);
  b->order = calloc((size_t)b->nout, sizeof *b->order);
  b->pending = calloc((size_t)b->nout, sizeof *b->pending);
  if (!b->m || !b->ss || !b->order || !b->pending) { snprintf(err, errSize, "out of memory"); return -1; }
  if (buildMessages(b, now, err, errSize) < 0) return -1;
  b->stop = o->stop;
  b->log = o->log;
  b->mail = o->mail;
  b->sms = o->sms;
  if (o->mail) o->mail->stop = o->stop;
  if (o->sms) o->sms->stop = o->stop;
  b->owner = campStoreRunner(e);
  b->now = now;
  /* results are written on a second connection by the send thread, as they
  ** come; a database without a file (":memory:") has none: finishBatch
  ** writes them */
  b->rec = campStoreRecorder(e);
  if (!b->rec || pthread_create(&b->thread, NULL, sendBatch, b) != 0) {   /* no thread: send here */
    Engine *rec = b->rec;
    b->rec = NULL;
    sendBatch(b);
    b->rec = rec ? rec : e;
    return 0;
  }
  b->sending = 1;
  return 0;
}

/* Wait for the sends and their recording; record what is left (without a
** recorder thread) and add up what it counted. */
int campSchedSendFinish(Engine *e, Batch *b, RunStats *rs, char *err, size_t errSize) {
  if (b->sending) pthread_join(b->thread, NULL);
  b->sending = 0;
  b->rec = e;                                 /* the thread is done with its connection */
  recordPending(b, 1);
  rs->processed += b->st.processed; rs->sent += b->st.sent; rs->retried += b->st.retried; rs->errors += b->st.errors;
  rs->completed += b->st.completed; rs->unsent += b->st.unsent;
  if (b->failed) { snprintf(err, errSize, "%s", b->err); return -1; }
  return 0;
}
