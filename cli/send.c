/*
** cli/send.c -- camp send (a manual mailing, once, now) and camp config
** (the database's settings: the default sender, time zone, send windows
** and caps).
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
#include "runtime/sched_timing.h"
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

const char *campSendRefusal(const char *name, const StoreMailing *m, char *err, size_t errSize) {
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
  if (campSendRefusal(name, &m, err, sizeof err)) return fail(a->cmd, e, err);
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

/* The settings camp config knows, in the order it lists them, with what
** holds when one is not set. */
static const struct { const char *key, *unset; } settings[] = {
  { "sender", "(not set: emails without from go out as camp <noreply@camp.invalid>)" },
  { "timezone", "(not set: UTC)" },
  { "window.email", "(not set: emails go out at any time)" },
  { "window.sms", "(not set: 09:00-20:00 every day)" },
  { "cap.email", "(not set: no cap)" },
  { "cap.sms", "(not set: no cap)" },
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static int settingIndex(const char *key) {
  for (size_t i = 0; i < NSETTINGS; i++) if (!strcmp(settings[i].key, key)) return (int)i;
  return -1;
}

static void showSetting(Engine *e, int i) {
  char v[256];
  char *sender = i == 0 ? campStoreMailingSender(e) : NULL;
  int got = i == 0 ? sender != NULL : campStoreMetaText(e, settings[i].key, v, sizeof v) == 1;
  printf("%-13s %s\n", settings[i].key, !got ? settings[i].unset : i == 0 ? sender : v);
  free(sender);
}

/* VALUE for setting i checked and put in the form it is stored in (out;
** "" unsets it).  0, or -1 with the one-line reason in err.  The sender
** is checked by its caller (a malformed one is a usage error). */
static int settingValue(int i, const char *value, char *out, size_t n, char *err, size_t errSize) {
  const char *key = settings[i].key;
  snprintf(out, n, "%s", value);
  if (!*value) return 0;
  if (!strcmp(key, "timezone") && !campClockZone(value)) {
    snprintf(err, errSize, "'%s' is not a time zone this system knows (an IANA name such as Europe/Paris, or UTC)", value);
    return -1;
  }
  if (!strncmp(key, "window.", 7)) {
    ProgWindow w;
    char why[200];
    if (campClockWindowParse(value, &w, why, sizeof why) < 0) { snprintf(err, errSize, "%s: %s", key, why); return -1; }
    campClockWindowFormat(&w, 0, out, n);
  }
  if (!strncmp(key, "cap.", 4)) {
    ProgCap c;
    char why[200];
    if (campCapParse(value, &c, why, sizeof why) < 0) { snprintf(err, errSize, "%s: %s", key, why); return -1; }
    campCapFormat(&c, out, n);
  }
  return 0;
}

static int config(const CliArgs *a) {
  int i = a->npos ? settingIndex(a->pos[0]) : -1;
  if (a->npos > 2 || (a->npos && i < 0))
    return campCliUsage(a->cmd, "usage: camp config [--db DB] [KEY [VALUE]] (KEY: sender, timezone, window.email, window.sms, cap.email, cap.sms)");
  char err[512], value[256];
  if (a->npos == 2 && i == 0 && a->pos[1][0] && !campResolveFromValid(a->pos[1]))   /* a usage error, as always */
    return campCliUsage(a->cmd, "'%s' is not a sender address (write \"Name <user@example.com>\" or \"user@example.com\")", a->pos[1]);
  if (a->npos == 2 && settingValue(i, a->pos[1], value, sizeof value, err, sizeof err) < 0) {   /* before the database is opened */
    fprintf(stderr, "camp config: %s\n", err);
    return 1;
  }
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) { fprintf(stderr, "camp config: %s\n", err); return 1; }
  if (a->npos == 2 && (i == 0 ? campStoreMailingSetSender(e, value, err, sizeof err)
                              : campStoreMetaSetText(e, settings[i].key, *value ? value : NULL, err, sizeof err)) < 0)
    return fail(a->cmd, e, err);
  for (size_t k = 0; k < NSETTINGS; k++) if (i < 0 || (size_t)i == k) showSetting(e, (int)k);
  campEngineClose(e);
  return 0;
}

int campSendSetZone(Engine *e, const char *zone, char *err, size_t errSize) {
  char value[256];
  if (settingValue(settingIndex("timezone"), zone, value, sizeof value, err, errSize) < 0) return -1;
  return campStoreMetaSetText(e, "timezone", *value ? value : NULL, err, errSize);
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
  "config", "show or set the database's settings (sender, time zone, send windows, caps)", config,
  "camp config [--db DB] [KEY [VALUE]]",
  "Without operands, shows every setting; KEY shows one, KEY VALUE checks and sets it (\"\" unsets it):\n"
  "  sender        the default sender: \"Name <user@example.com>\" or \"user@example.com\", checked as\n"
  "                `from` is; an email or mailing without `from` goes out from it\n"
  "  timezone      the database's zone (IANA: Europe/Paris): delays, times of day and windows of\n"
  "                recipients with no zone of their own or their campaign's (not set: UTC)\n"
  "  window.email  the send window of emails: \"08:00-20:00 mon-fri\", \"09:00-20:00\", or \"off\"\n"
  "  window.sms    the same for SMS (not set: 09:00-20:00 every day; \"off\" lifts it)\n"
  "  cap.email     at most so many emails per contact across every campaign: \"3 per 7 days\", or \"off\"\n"
  "  cap.sms       the same for SMS\n"
  "A value that is not valid (an unknown zone, a bad window or cap) is refused and nothing is written.",
  (const CliOptUse[]){ { O_DB, NULL }, { CLI_NOPT, NULL } },
  NULL, "camp config --db shop.db sender \"Shop <news@shop.example>\"\ncamp config --db shop.db window.email \"08:00-20:00 mon-fri\"",
  "0\tdone\n1\ta value that is not valid, or the database failed\n2\tusage error (an unknown setting)", 0,
};
