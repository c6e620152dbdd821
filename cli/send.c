/*
** cli/send.c -- camp send (a manual mailing, once, now) and camp config
** (the database's settings: the default sender).
**
** Owns: when a mailing may be sent by hand and the messages that refuse
** it (not deployed, not a mailing, deferred, stopped, already sent: when),
** starting a draft mailing, resuming a send a crash interrupted, the
** send's summary line; camp config's keys and their checks.
** Does not own: sending (the scheduler, restricted to the mailing:
** RunOptions.campaign), the sent stamp and the sender's storage
** (runtime/store_mailing.c), channels (cli/db.c campCliOpenChannels).
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/progress.h"
#include "runtime/clock.h"
#include "compiler/resolve.h"
#include "runtime/sched.h"
#include "runtime/sync.h"

static int fail(const char *cmd, Engine *e, const char *err) {
  fprintf(stderr, "camp %s: %s\n", cmd, err);
  campEngineClose(e);
  return 1;
}

/* SIGINT / SIGTERM: the send records what is out and stops; camp send
** again sends the rest (same Message-IDs). */
static volatile sig_atomic_t stopSend;
static void onStop(int sig) { (void)sig; stopSend = 1; }

/* Why name cannot be sent by hand now, into err; NULL when it can. */
static const char *refusal(const char *name, const StoreMailing *m, char *err, size_t errSize) {
  char at[CAMP_CLOCK_ISO_SIZE];
  if (!m->mailing)
    snprintf(err, errSize, "'%s' is an automation campaign, not a mailing: camp run runs it", name);
  else if (m->at != CAMP_AT_MANUAL && m->at) {
    campClockFormat(m->at, at);
    snprintf(err, errSize, "mailing '%s' is deferred to %s: camp run sends it when that time comes", name, at);
  } else if (m->at != CAMP_AT_MANUAL)
    snprintf(err, errSize, "mailing '%s' has no time (compiled by an older camp): camp run sends it once it is started", name);
  else if (m->sentAt != INT64_MIN && !m->pending) {
    campClockFormat(m->sentAt, at);
    snprintf(err, errSize, "mailing '%s' was already sent at %s: a mailing is sent once", name, at);
  } else if (!strcmp(m->state, "stopped"))
    snprintf(err, errSize, "mailing '%s' is stopped: camp start %s, then camp send %s", name, name, name);
  else return NULL;
  return err;
}

/* The send: the mailing's list enrolled (unless a crashed send did it),
** then its messages, like one pass of camp run restricted to it. */
static int sendNow(Engine *e, const CliArgs *a, const StoreMailing *m, RunStats *st, char *err, size_t errSize) {
  RunOptions r = { .until = INT64_MAX, .once = 1, .campaign = m->id };
  if (campCliOpenChannels(e, a, &r, err, errSize) < 0) return -1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onStop;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  r.stop = &stopSend;
  Progress *p = campProgressStart(stderr, campEngineNow(e), INT64_MAX);
  r.progress = p ? campProgressUpdate : NULL;
  r.progressCtx = p;
  int rc = campSchedRun(e, &r, st, err, errSize);
  campProgressEnd(p);
  campChanClose(r.mail);
  campChanClose(r.sms);
  return rc;
}

/* Is m delivered through an ESP (`via mailchimp|dotdigital SYNC`)?  1 yes,
** 0 no, -1 error (in err). */
static int viaMailing(Engine *e, const StoreMailing *m, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, m->id, err, errSize);
  if (!l) return -1;
  return l->p->camps[l->camp].via != CAMP_NONE;
}

/* The send of a `via` mailing: the provider's campaign created and sent
** (runtime/sync_deliver.c); nobody is enrolled for camp's channels. */
static int sendVia(Engine *e, const char *cmd, const char *name, const StoreMailing *m) {
  char err[512];
  if (campSyncDeliver(e, name, stderr, err, sizeof err) < 0) return fail(cmd, e, err);
  StoreVia v;
  if (campStoreSyncDeliverGet(e, m->id, &v, err, sizeof err) < 0) return fail(cmd, e, err);
  char at[CAMP_CLOCK_ISO_SIZE];
  campClockFormat(v.sentAt != INT64_MIN ? v.sentAt : campEngineNow(e), at);
  printf("mailing %s: sent via %s (campaign %s) at %s\n", name, v.transport, v.espId, at);
  campEngineClose(e);
  return 0;
}

static int send(const CliArgs *a) {
  long n = 0;
  if (campCliNumber(a, O_MAIL_CONN, 1, 256, &n) || campCliNumber(a, O_SMS_CONN, 1, 256, &n)) return 2;
  if (a->npos != 1) return campCliUsage(a->cmd, "usage: camp send [--db DB] MAILING [--mail URL] [--base-url URL]");
  const char *name = a->pos[0];
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp send: %s\n", err); return 1; }
  StoreMailing m;
  int got = campStoreMailingGet(e, name, &m, err, sizeof err);
  if (got < 0) return fail(a->cmd, e, err);
  if (got == 1) {
    snprintf(err, sizeof err, "no mailing '%s' is deployed (camp deploy FILE.camp)", name);
    return fail(a->cmd, e, err);
  }
  if (refusal(name, &m, err, sizeof err)) return fail(a->cmd, e, err);
  if (!strcmp(m.state, "draft")) {
    if (campStoreSetState(e, name, "running", err, sizeof err) < 0) return fail(a->cmd, e, err);
    printf("mailing %s was a draft: started\n", name);
  }
  int via = viaMailing(e, &m, err, sizeof err);
  if (via < 0) return fail(a->cmd, e, err);
  if (via) return sendVia(e, a->cmd, name, &m);
  char at[CAMP_CLOCK_ISO_SIZE];
  if (m.sentAt != INT64_MIN) {
    campClockFormat(m.sentAt, at);
    printf("mailing %s: resuming the send of %s (%lld messages left)\n", name, at, (long long)m.pending);
  }
  RunStats st;
  if (sendNow(e, a, &m, &st, err, sizeof err) < 0) return fail(a->cmd, e, err);
  StoreMailing after;
  if (campStoreMailingGet(e, name, &after, err, sizeof err) != 0) return fail(a->cmd, e, err[0] ? err : "the mailing is gone");
  long unsub = campStoreMailingUnsubscribed(e, m.id, err, sizeof err);
  if (unsub < 0) return fail(a->cmd, e, err);
  campClockFormat(after.sentAt != INT64_MIN ? after.sentAt : campEngineNow(e), at);
  printf("mailing %s: sent %ld at %s, skipped %ld (no address %ld, suppressed or opted out %ld), errors %ld; "
         "%ld unsubscribed from the list not sent to\n",
         name, st.sent, at, st.rejected + st.canceled, st.rejected, st.canceled, st.errors, unsub);
  if (after.pending)
    fprintf(stderr, "camp send: %lld messages of %s are left (stopped, or to retry): camp send %s or camp run sends them\n",
            (long long)after.pending, name, name);
  campEngineClose(e);
  return st.errors ? 1 : 0;
}

/* -- camp config ------------------------------------------------------------------------ */

static void showSender(Engine *e) {
  char *s = campStoreMailingSender(e);
  printf("sender  %s\n", s ? s : "(not set: emails without from go out as camp <noreply@camp.invalid>)");
  free(s);
}

static int config(const CliArgs *a) {
  if (a->npos > 2 || (a->npos && strcmp(a->pos[0], "sender")))
    return campCliUsage(a->cmd, "usage: camp config [--db DB] [sender [VALUE]] (the one setting is sender)");
  if (a->npos == 2 && a->pos[1][0] && !campResolveFromValid(a->pos[1]))
    return campCliUsage(a->cmd, "'%s' is not a sender address (write \"Name <user@example.com>\" or \"user@example.com\")", a->pos[1]);
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp config: %s\n", err); return 1; }
  if (a->npos == 2 && campStoreMailingSetSender(e, a->pos[1], err, sizeof err) < 0) return fail(a->cmd, e, err);
  showSender(e);
  campEngineClose(e);
  return 0;
}

int campSendSetSender(Engine *e, const char *value, char *err, size_t errSize) {
  if (!campResolveFromValid(value)) {
    snprintf(err, errSize, "--sender '%s' is not a sender address (write \"Name <user@example.com>\" or \"user@example.com\")", value);
    return -1;
  }
  return campStoreMailingSetSender(e, value, err, errSize);
}

const CliSpec campCmdSend = {
  "send", "send a manual mailing, once, now", send,
  "camp send [--db DB] MAILING [--mail URL] [--base-url URL] [OPTIONS]",
  "Sends a mailing declared without `at` to its list's send set now, once: it enrols the list,\n"
  "sends one message per member (a member without an address, unsubscribed or suppressed is\n"
  "skipped, and the timeline says why) and stamps the mailing sent.  A draft mailing is started.\n"
  "Refused (exit 1) when the mailing was already sent (it says when), when it is deferred (camp run\n"
  "sends it at its time), stopped, not deployed, or not a mailing.  Each recipient is its own unit of\n"
  "work: an interrupted send is resumed by camp send (or camp run) without sending anyone twice.\n"
  "A mailing `via mailchimp|dotdigital SYNC` is delivered by that provider instead: its campaign is\n"
  "created for the sync's segment / address book, its id kept, then sent -- once, even when killed.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_MAIL, NULL }, { O_BASE_URL, NULL }, { O_MAIL_CONN, NULL }, { CLI_NOPT, NULL } },
  "CAMP_SECRET\tsigns tracking links instead of the database's own secret\n"
  "CAMP_SMTP_USER\tthe SMTP login (with CAMP_SMTP_PASSWORD)\nCAMP_SMTP_PASSWORD\tthe SMTP password",
  "camp send --db shop.db launch --mail smtp://mail.example.com",
  "0\tsent\n1\trefused, a message failed, or the database or the channel failed (the message says why)\n2\tusage error", 0,
};

const CliSpec campCmdConfig = {
  "config", "show or set the database's settings (the default sender)", config,
  "camp config [--db DB] [sender [VALUE]]",
  "Without operands, shows every setting; `sender` shows the default sender, `sender VALUE` sets it\n"
  "(\"Name <user@example.com>\" or \"user@example.com\", checked as `from` is; \"\" unsets it).  An email\n"
  "or mailing without `from` goes out from the default sender (else camp <noreply@camp.invalid>).",
  (const CliOptUse[]){ { O_DB, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp config --db shop.db sender \"Shop <news@shop.example>\"",
  "0\tdone\n1\tthe database failed\n2\tusage error (an unknown setting, a malformed address)", 0,
};
