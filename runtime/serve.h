/*
** runtime/serve.h -- the tracking server: opens, clicks, unsubscribes and
** provider events over HTTP (serve.c, libmicrohttpd).
*/
#ifndef CAMP_SERVE_H
#define CAMP_SERVE_H

#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>

typedef struct ServeOptions {
  const char *db;           /* the campaign database */
  const char *listen;       /* "127.0.0.1:8080", as campServeParseListen reads it; port 0 picks a free one */
  const char *secret;       /* key of the tracking tokens ($CAMP_SECRET), or NULL: the database's own */
  const char *previous;     /* keys still accepted during a rotation, comma-separated ($CAMP_SECRET_PREVIOUS), or NULL */
  const char *hookSecret;   /* key of the signatures of /hooks/events and /hooks/sms ($CAMP_HOOK_SECRET); NULL: the hooks answer 401 */
  int hookTolerance;        /* seconds a signed hook's timestamp may be off the server's clock (0: 300) */
  int threads;              /* request threads (0: 4) */
  int keepIp;               /* store website visitors' IPs whole (default: anonymised) */
  FILE *log;                /* "listening on …", a line per hit and the closing summary, each with an ISO timestamp; or NULL */
} ServeOptions;

/* An address to listen on. */
typedef struct ServeAddr {
  struct sockaddr_storage sa;   /* IPv4 or IPv6, with the port */
  socklen_t len;
  int dual;                     /* IPv6 "::" taking IPv4 too (":PORT") */
} ServeAddr;

/* Read --listen: ADDRESS:PORT where ADDRESS is an IPv4 address
** (127.0.0.1), an IPv6 one in brackets ([::1]), a host name (localhost:
** its first IPv4 address, else its first IPv6 one, through getaddrinfo),
** or nothing (":8080": every address, IPv6 and IPv4 on one socket when the
** machine has IPv6, else every IPv4 address); PORT is 0 to 65535 (0: a
** free one).  0, or -1 with a message naming the value in err. */
int campServeParseListen(const char *listen, ServeAddr *out, char *err, size_t errSize);

/* Serve until *stop becomes non-zero (a signal handler sets it), then stop
** accepting, record every hit already answered, and return 0; -1 with a
** message in err when the server cannot start. */
int campServeRun(const ServeOptions *o, volatile sig_atomic_t *stop, char *err, size_t errSize);

#endif
