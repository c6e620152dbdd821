/*
** cli/serve.c -- `camp serve --db DB --listen ADDR:PORT [--threads N]`.
**
** Owns: the command line and the signals of the tracking server (and of
** its website collector: --keep-ip); the
** server itself is runtime/serve.c.  SIGINT or SIGTERM stops it after
** every answered hit is recorded (exit 0).  Keys come from the
** environment: $CAMP_SECRET (else the database's own secret),
** $CAMP_SECRET_PREVIOUS (comma-separated keys still accepted) and
** $CAMP_HOOK_SECRET (without it the webhooks answer 401).
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/serve.h"

static volatile sig_atomic_t stopping;

static void onSignal(int sig) {
  (void)sig;
  stopping = 1;
}

static int serve(const CliArgs *a) {
  ServeOptions o = { .listen = "127.0.0.1:8080", .log = stdout };
  long threads = 0;
  if (a->npos) return campCliUsage(a->cmd, "unknown argument '%s' (use --db DB --listen ADDR:PORT [--threads N])", a->pos[0]);
  if (campCliNumber(a, O_THREADS, 1, 64, &threads)) return 2;
  o.threads = (int)threads;
  o.keepIp = a->opt[O_KEEP_IP] != NULL;
  o.db = campCliDbPath(a->opt[O_DB]);
  if (a->opt[O_LISTEN]) o.listen = a->opt[O_LISTEN];
  ServeAddr addr;
  char err[512];
  if (campServeParseListen(o.listen, &addr, err, sizeof err) < 0) return campCliUsage(a->cmd, "%s", err);
  o.secret = getenv("CAMP_SECRET");                 /* NULL: the database's own secret */
  if (o.secret && !*o.secret) o.secret = NULL;
  o.previous = getenv("CAMP_SECRET_PREVIOUS");
  o.hookSecret = getenv("CAMP_HOOK_SECRET");        /* NULL: /hooks/ answer 401 */
  if (o.hookSecret && !*o.hookSecret) o.hookSecret = NULL;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onSignal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (campServeRun(&o, &stopping, err, sizeof err) < 0) {
    fprintf(stderr, "camp serve: %s\n", err);
    return 1;
  }
  return 0;
}

const CliSpec campCmdServe = {
  "serve", "the tracking server: opens, clicks, unsubscribes, provider events", serve,
  "camp serve [--db DB] [--listen ADDR:PORT] [--threads N] [--keep-ip]",
  "Answers /o/ (opens), /r/ (clicks), /u/ (unsubscribe pages and one-click), /hooks/events and\n"
  "/hooks/sms (provider webhooks, signed), and /matomo.php and /piwik.php (website hits, the Matomo\n"
  "tracking API; visitors' IPs anonymised unless --keep-ip).  Logs on stdout one line per hit, TIMESTAMP METHOD PATH\n"
  "STATUS WHAT (an ISO 8601 time, and what the hit recorded, - for nothing).  --listen takes\n"
  "127.0.0.1:8080, [::1]:8080, a host name (its first IPv4 address, else IPv6) or :8080 (every\n"
  "address, IPv6 and IPv4).  SIGINT or SIGTERM stops it after every answered hit is recorded.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_LISTEN, NULL }, { O_THREADS, NULL }, { O_KEEP_IP, NULL }, { CLI_NOPT, NULL } },
  "CAMP_SECRET\tsigns and verifies links instead of the database's own secret\n"
  "CAMP_SECRET_PREVIOUS\tcomma-separated keys still accepted\n"
  "CAMP_HOOK_SECRET\tthe webhooks' signing key (without it /hooks/ answer 401)",
  "CAMP_HOOK_SECRET=... camp serve --db shop.db --listen [::1]:8080",
  "0\tstopped by a signal\n1\tcannot listen or open the database\n2\tusage error (a bad --listen address among them)", 0,
};
