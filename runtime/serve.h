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
  const char *secret;       /* key of the tracking tokens (CAMP_SECRET) */
  const char *hookSecret;   /* key of the /hooks/events signatures */
  int threads;              /* request threads (0: 4) */
  FILE *log;                /* "listening on …" and the closing summary, or NULL */
} ServeOptions;

/* Serve until *stop becomes non-zero (a signal handler sets it), then stop
** accepting, record every hit already answered, and return 0; -1 with a
** message in err when the server cannot start. */
int campServeRun(const ServeOptions *o, volatile sig_atomic_t *stop, char *err, size_t errSize);

#endif
