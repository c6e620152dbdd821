/*
** runtime/serve.h -- the tracking server: opens, clicks, unsubscribes and
** provider events over HTTP (serve.c, libmicrohttpd).
*/
#ifndef CAMP_SERVE_H
#define CAMP_SERVE_H

#include <signal.h>
#include <stdio.h>

typedef struct ServeOptions {
  const char *db;           /* the campaign database */
  const char *listen;       /* "127.0.0.1:8080"; port 0 picks a free one */
  const char *secret;       /* key of the tracking tokens ($CAMP_SECRET), or NULL: the database's own */
  const char *previous;     /* keys still accepted during a rotation, comma-separated ($CAMP_SECRET_PREVIOUS), or NULL */
  const char *hookSecret;   /* key of the signatures of /hooks/events and /hooks/sms ($CAMP_HOOK_SECRET); NULL: the hooks answer 401 */
  int hookTolerance;        /* seconds a signed hook's timestamp may be off the server's clock (0: 300) */
  int threads;              /* request threads (0: 4) */
  FILE *log;                /* "listening on …" and the closing summary, or NULL */
} ServeOptions;

/* Serve until *stop becomes non-zero (a signal handler sets it), then stop
** accepting, record every hit already answered, and return 0; -1 with a
** message in err when the server cannot start. */
int campServeRun(const ServeOptions *o, volatile sig_atomic_t *stop, char *err, size_t errSize);

#endif
