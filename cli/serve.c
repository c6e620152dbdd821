/*
** cli/serve.c -- `camp serve --db DB --listen ADDR:PORT [--threads N]`.
**
** Owns: the command line and the signals of the tracking server; the
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

int campCmdServe(int argc, char **argv) {
  ServeOptions o = { .listen = "127.0.0.1:8080", .log = stdout };
  const char *threads = NULL;
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    if ((m = campCliOpt(argc, argv, &i, "--db", &v)) != 0) { if (m < 0) return 2; o.db = v; continue; }
    if ((m = campCliOpt(argc, argv, &i, "--listen", &v)) != 0) { if (m < 0) return 2; o.listen = v; continue; }
    if ((m = campCliOpt(argc, argv, &i, "--threads", &v)) != 0) { if (m < 0) return 2; threads = v; continue; }
    return campCliUsage(argv[0], "unknown argument '%s' (use --db DB --listen ADDR:PORT [--threads N])", argv[i]);
  }
  o.db = campCliDbPath(o.db);
  if (threads) {
    char *end;
    long n = strtol(threads, &end, 10);
    if (end == threads || *end || n < 1 || n > 64) return campCliUsage(argv[0], "--threads '%s': give a number from 1 to 64", threads);
    o.threads = (int)n;
  }
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
  char err[512];
  if (campServeRun(&o, &stopping, err, sizeof err) < 0) {
    fprintf(stderr, "camp serve: %s\n", err);
    return 1;
  }
  return 0;
}
