/*
** runtime/chan_smtp.c -- the smtp:// and smtps:// mail carrier.
**
** Owns: SMTP sessions to one relay -- the URL and its query options, TLS
** (STARTTLS when offered, required with ?tls=required, implicit with
** smtps://), AUTH from CAMP_SMTP_USER / CAMP_SMTP_PASSWORD, sending a
** batch over N connections at once with a per-recipient-domain cap, and
** turning what the server said into a SendStatus: 2xx sent, 4xx or a lost
** connection retried, 5xx an error for that message alone.
** Does not own: the bytes of a message (message.c) or when a retry happens
** (store_run.c, with backoff).
**
** libcurl opens each session (CURLOPT_CONNECT_ONLY: connect, greeting,
** EHLO, STARTTLS, AUTH, all of it on the multi interface); the mail
** transactions then run here over curl_easy_send / curl_easy_recv, so a
** session lives across messages and batches and, when the server offers
** PIPELINING (RFC 2920), MAIL, RCPT and DATA go out in one write.  A
** message then costs two round trips and about four system calls, where
** libcurl's own SMTP transfer takes four round trips and some fifteen
** calls (measured with bench/smtp.sh: 0.8-0.95 of postfix's smtp-source
** rate, against under 0.5).  After any failed transaction the session is closed (its
** state is uncertain) and the next message opens a new one.
*/
#include <curl/curl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include "runtime/message.h"

#define SMTP_DEFAULT_CONNECTIONS 4
#define SMTP_CONNECT_TIMEOUT 10L        /* seconds to connect, greet, STARTTLS, AUTH */
#define SMTP_TRANSFER_TIMEOUT 60L       /* seconds for one whole message */
#define SMTP_IDLE_CHECK_MS 1000         /* a session idle longer is checked before use */

typedef enum { CONN_CLOSED, CONN_CONNECTING, CONN_READY } ConnState;
/* The reply a transaction waits for next. */
typedef enum { WAIT_NONE, WAIT_MAIL, WAIT_RCPT, WAIT_DATA, WAIT_END } Wait;

/* One session: its easy handle and the message it is carrying. */
typedef struct Conn {
  CURL *h;
  ConnState state;
  curl_socket_t fd;             /* once READY */
  int pipelining;               /* the server's EHLO offered PIPELINING */
  int tls;                      /* the session is encrypted */
  int msg;                      /* index in the batch, -1 when idle */
  const char *domain;           /* recipient domain of msg (in the batch) */
  Wait wait;
  Buf out;                      /* bytes to send ... */
  size_t outOff;                /* ... and how many went */
  Buf body;                     /* the message, dot-stuffed, ending CRLF.CRLF */
  Buf raw;                      /* the message as composed */
  char in[1024];                /* reply bytes not yet parsed */
  size_t nin;
  char last[200];               /* the server's last reply line */
  char errbuf[CURL_ERROR_SIZE];
  long long deadline;           /* ms: when the message under way times out */
  long long idleSince;          /* ms: when the session last finished a message */
} Conn;

typedef struct SmtpChan {
  Channel base;
  CURLM *multi;
  Conn *conn;
  int nconn;
  int domainCap;                /* messages in flight per recipient domain */
  long timeout;                 /* seconds for one message */
  int tlsRequired;
  char *url;                    /* without the query */
  char *cafile;
  struct pollfd *curlFd;        /* the sockets libcurl asked us to watch */
  int nCurlFd, capCurlFd;
  long long curlDeadline;       /* when libcurl wants its timer run (ms), -1 none */
  struct pollfd *pfd;           /* the poll set of one turn of the loop ... */
  Conn **pfdConn;               /* ... and whose each entry is (NULL: libcurl's) */
  /* the batch under way */
  const Message *m;
  SendStatus *status;
  char *started;
  int n, next, left;
  const char *down;             /* set when the relay itself failed this batch */
  char downWhy[256];
} SmtpChan;

/* -- URL and options ------------------------------------------------------ */

static int isLoopback(const char *host) {
  return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "[::1]") || !strcmp(host, "::1");
}

/* ?tls=required|try&domain-cap=K&cafile=PATH&timeout=S (values taken as
** written).  0, or -1 with a message in err. */
static int parseQuery(SmtpChan *s, const char *query, int *tlsGiven, char *err, size_t errSize) {
  char *q = strdup(query), *save = NULL;
  int rc = 0;
  if (!q) { snprintf(err, errSize, "out of memory"); return -1; }
  for (char *kv = strtok_r(q, "&", &save); kv && rc == 0; kv = strtok_r(NULL, "&", &save)) {
    char *v = strchr(kv, '=');
    if (v) *v++ = 0;
    else v = "";
    char *end;
    long k = strtol(v, &end, 10);
    int num = *v && !*end;
    if (!strcmp(kv, "tls") && (!strcmp(v, "required") || !strcmp(v, "try"))) {
      s->tlsRequired = !strcmp(v, "required");
      *tlsGiven = 1;
    } else if (!strcmp(kv, "domain-cap") && num && k >= 1 && k <= 256) {
      s->domainCap = (int)k;
    } else if (!strcmp(kv, "timeout") && num && k >= 1 && k <= 3600) {
      s->timeout = k;
    } else if (!strcmp(kv, "cafile") && *v) {
      free(s->cafile);
      if (!(s->cafile = strdup(v))) { snprintf(err, errSize, "out of memory"); rc = -1; }
    } else {
      snprintf(err, errSize, "bad option '%s%s%s' (tls=required|try, domain-cap=1..256, timeout=SECONDS, cafile=PATH)",
               kv, v > kv + strlen(kv) ? "=" : "", v);
      rc = -1;
    }
  }
  free(q);
  return rc;
}

/* Split the URL into what curl connects to and our query options; refuse
** credentials in the URL (they belong in the environment). */
static int parseUrl(SmtpChan *s, const char *url, int hasAuth, char *err, size_t errSize) {
  CURLU *u = curl_url();
  char *host = NULL, *user = NULL, *query = NULL, *base = NULL;
  int rc = -1, tlsGiven = 0;
  if (!u) { snprintf(err, errSize, "out of memory"); return -1; }
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    snprintf(err, errSize, "'%s' is not a mail URL (smtp://HOST:PORT or smtps://HOST:PORT)", url);
    goto done;
  }
  if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
    snprintf(err, errSize, "'%s': no credentials in the URL; set CAMP_SMTP_USER and CAMP_SMTP_PASSWORD", url);
    goto done;
  }
  if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && parseQuery(s, query, &tlsGiven, err, errSize) < 0) goto done;
  /* Credentials never cross the network in the clear unless the relay is
  ** this machine or the user said ?tls=try. */
  if (hasAuth && !tlsGiven && !isLoopback(host)) s->tlsRequired = 1;
  curl_url_set(u, CURLUPART_QUERY, NULL, 0);
  curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
  if (curl_url_get(u, CURLUPART_URL, &base, 0) != CURLUE_OK || !(s->url = strdup(base))) {
    snprintf(err, errSize, "out of memory");
    goto done;
  }
  rc = 0;
done:
  curl_free(host);
  curl_free(user);
  curl_free(query);
  curl_free(base);
  curl_url_cleanup(u);
  return rc;
}

/* -- libcurl callbacks ------------------------------------------------------ */

/* While libcurl opens a session it shows the server's reply lines to the
** debug callback (CURLINFO_HEADER_IN) only: keep the last one as the
** server's words and note whether EHLO offered PIPELINING.  A failed
** session ends with QUIT, whose "221 Bye" would hide the reply that failed
** it, so that one is not kept. */
static int replyLine(CURL *h, curl_infotype type, char *buf, size_t n, void *arg) {
  Conn *c = arg;
  size_t k = n;
  (void)h;
  if (type != CURLINFO_HEADER_IN) return 0;
  if (n >= 4 && !memcmp(buf, "221", 3) && (buf[3] == ' ' || buf[3] == '-')) return 0;
  if (n >= 14 && !memcmp(buf, "250", 3) && !strncasecmp(buf + 4, "PIPELINING", 10)) c->pipelining = 1;
  while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r')) k--;
  if (k >= sizeof c->last) k = sizeof c->last - 1;
  memcpy(c->last, buf, k);
  c->last[k] = 0;
  return 0;
}

static int onSocket(CURL *e, curl_socket_t fd, int what, void *arg, void *sockp) {
  SmtpChan *s = arg;
  int i = 0;
  (void)e; (void)sockp;
  while (i < s->nCurlFd && s->curlFd[i].fd != fd) i++;
  if (what == CURL_POLL_REMOVE) {
    if (i < s->nCurlFd) s->curlFd[i] = s->curlFd[--s->nCurlFd];
    return 0;
  }
  if (i == s->nCurlFd) {
    if (s->nCurlFd == s->capCurlFd) return -1;   /* sized for every session's sockets */
    s->curlFd[s->nCurlFd++].fd = fd;
  }
  s->curlFd[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
  return 0;
}

static long long nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int onTimer(CURLM *multi, long ms, void *arg) {
  SmtpChan *s = arg;
  (void)multi;
  s->curlDeadline = ms < 0 ? -1 : nowMs() + ms;
  return 0;
}

/* -- statuses ---------------------------------------------------------------- */

static void setStatus(SendStatus *st, SendResult r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setStatus(SendStatus *st, SendResult r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  st->result = r;
  vsnprintf(st->why, sizeof st->why, fmt, ap);
  va_end(ap);
}

static int isAuthCode(int code) { return code == 530 || code == 534 || code == 535 || code == 538; }

/* Failures of the relay itself rather than of one message: the rest of
** the batch would only fail the same way, so it is not tried. */
static int relayDown(CURLcode r, int code) {
  return r == CURLE_COULDNT_RESOLVE_HOST || r == CURLE_COULDNT_CONNECT || r == CURLE_LOGIN_DENIED ||
         r == CURLE_USE_SSL_FAILED || r == CURLE_SSL_CONNECT_ERROR || r == CURLE_PEER_FAILED_VERIFICATION ||
         r == CURLE_SSL_CACERT_BADFILE || (r == CURLE_OPERATION_TIMEDOUT && code == 0) || isAuthCode(code);
}

/* Settle the message of c: r is CURLE_OK when it was sent, else what went
** wrong (libcurl's code while opening the session; ours after), with the
** server's last reply in c->last and any other words in c->errbuf.  A 5xx
** is an error for the message only in its own transaction: one that
** refuses the session (a 554 greeting, say) says nothing of the recipient,
** so it is retried like any other failure to open a session. */
static void settleAs(SmtpChan *s, Conn *c, CURLcode r, int opening) {
  SendStatus *st = &s->status[c->msg];
  const char *words = c->errbuf[0] ? c->errbuf : curl_easy_strerror(r);
  int code = 0;
  if (c->last[0] >= '4' && c->last[0] <= '5' && c->last[1] >= '0' && c->last[1] <= '9' && c->last[2] >= '0' && c->last[2] <= '9')
    code = (c->last[0] - '0') * 100 + (c->last[1] - '0') * 10 + (c->last[2] - '0');
  c->msg = -1;
  s->left--;
  if (r == CURLE_OK) {
    st->result = SEND_OK;
    st->why[0] = 0;
    s->base.sent++;
    return;
  }
  if (r == CURLE_LOGIN_DENIED || isAuthCode(code))
    setStatus(st, SEND_RETRY, "authentication failed: %.180s%s", code ? c->last : c->errbuf[0] ? c->errbuf : "login denied",
              getenv("CAMP_SMTP_USER") ? "" : " (set CAMP_SMTP_USER and CAMP_SMTP_PASSWORD)");
  else if (code >= 500 && opening) setStatus(st, SEND_RETRY, "the server refused the session: %.170s", c->last);
  else if (code >= 500) setStatus(st, SEND_FAIL, "%s", c->last);
  else if (code >= 400) setStatus(st, SEND_RETRY, "%s", c->last);
  else if (r == CURLE_USE_SSL_FAILED)
    setStatus(st, SEND_RETRY, "TLS required (tls=required) but the server does not offer STARTTLS");
  else if (r == CURLE_OPERATION_TIMEDOUT) setStatus(st, SEND_RETRY, "timed out: %.200s", words);
  else if (r == CURLE_COULDNT_CONNECT || r == CURLE_COULDNT_RESOLVE_HOST) setStatus(st, SEND_RETRY, "cannot connect: %.200s", words);
  else if (r == CURLE_SSL_CONNECT_ERROR || r == CURLE_PEER_FAILED_VERIFICATION || r == CURLE_SSL_CACERT_BADFILE)
    setStatus(st, SEND_RETRY, "TLS failed: %.200s", words);
  else if (r == CURLE_SEND_ERROR || r == CURLE_RECV_ERROR || r == CURLE_GOT_NOTHING)
    setStatus(st, SEND_RETRY, "connection lost: %.200s", words);
  else if (r == CURLE_WEIRD_SERVER_REPLY) setStatus(st, SEND_RETRY, "unexpected reply: %.190s", c->last);
  else setStatus(st, SEND_RETRY, "%.200s", words);
  if ((relayDown(r, code) || (opening && code >= 500)) && !s->down) {
    snprintf(s->downWhy, sizeof s->downWhy, "%s", st->why);
    s->down = s->downWhy;
  }
}

static void settle(SmtpChan *s, Conn *c, CURLcode r) { settleAs(s, c, r, 0); }

/* -- sessions ---------------------------------------------------------------- */

/* Open a session for c (its message waits).  -1 when libcurl refuses. */
static int openConn(SmtpChan *s, Conn *c) {
  c->pipelining = 0;
  c->last[0] = 0;
  c->errbuf[0] = 0;
  c->nin = 0;
  c->out.n = c->outOff = 0;
  c->wait = WAIT_NONE;
  if (curl_multi_add_handle(s->multi, c->h) != CURLM_OK) return -1;
  c->state = CONN_CONNECTING;
  return 0;
}

/* Drop c's session.  The socket is shut down first so that libcurl's
** goodbye (QUIT) fails at once instead of waiting on a server that has
** stopped answering. */
static void closeConn(SmtpChan *s, Conn *c) {
  if (c->state == CONN_CLOSED) return;
  if (c->state == CONN_READY && c->fd != CURL_SOCKET_BAD) shutdown(c->fd, SHUT_RDWR);
  curl_multi_remove_handle(s->multi, c->h);
  c->state = CONN_CLOSED;
  c->fd = CURL_SOCKET_BAD;
}

/* Fail c's message (r and the words as for settle) and drop the session. */
static void failConn(SmtpChan *s, Conn *c, CURLcode r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void failConn(SmtpChan *s, Conn *c, CURLcode r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->errbuf, sizeof c->errbuf, fmt, ap);
  va_end(ap);
  if (c->msg >= 0) settle(s, c, r);
  closeConn(s, c);
}

/* Send what c->out holds, as far as the socket takes it.  0 when all went
** or the rest waits for the socket; -1 when the session broke (settled). */
static int flush(SmtpChan *s, Conn *c) {
  while (c->outOff < c->out.n) {
    size_t sent = 0;
    CURLcode r = curl_easy_send(c->h, c->out.p + c->outOff, c->out.n - c->outOff, &sent);
    if (r == CURLE_AGAIN) return 0;
    if (r != CURLE_OK) { failConn(s, c, CURLE_SEND_ERROR, "%s", curl_easy_strerror(r)); return -1; }
    c->outOff += sent;
  }
  c->out.n = c->outOff = 0;
  return 0;
}

static void command(Conn *c, const char *verb, const char *addr) {
  campBufPrintf(&c->out, "%s<%s>\r\n", verb, addr);
}

/* An address we can put in MAIL FROM or RCPT TO: something@something and no
** character that could end the command or the path. */
static int plainAddress(const char *a) {
  const char *at = strchr(a, '@');
  if (!at || at == a || !at[1]) return 0;
  for (const unsigned char *p = (const unsigned char *)a; *p; p++)
    if (*p <= ' ' || *p == 0x7f || strchr("<>(),;\\\"", *p)) return 0;
  return 1;
}

/* The DATA of a message: every line that starts with '.' gets another
** (RFC 5321 4.5.2), the text ends with CRLF, then the ".". */
static void stuff(const Buf *raw, Buf *out) {
  const char *p = raw->p, *end = raw->p + raw->n;
  out->n = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl + 1 : end;
    if (*p == '.') campBufPut(out, ".", 1);
    campBufPut(out, p, (size_t)(stop - p));
    p = stop;
  }
  if (out->n < 2 || memcmp(out->p + out->n - 2, "\r\n", 2)) campBufPut(out, "\r\n", 2);
  campBufPut(out, ".\r\n", 3);
}

/* Begin the transaction of c's message on its open session. */
static void begin(SmtpChan *s, Conn *c) {
  const Message *m = &s->m[c->msg];
  c->raw.n = 0;
  c->raw.oom = 0;
  c->body.oom = 0;
  c->out.oom = 0;
  c->last[0] = 0;
  c->errbuf[0] = 0;
  if (campMessageCompose(m, &c->raw) < 0) { settle(s, c, CURLE_OUT_OF_MEMORY); return; }
  stuff(&c->raw, &c->body);
  command(c, "MAIL FROM:", m->fromAddr);
  if (c->pipelining) {
    command(c, "RCPT TO:", m->toAddr);
    campBufPuts(&c->out, "DATA\r\n");
  }
  if (c->body.oom || c->out.oom) { c->out.n = 0; settle(s, c, CURLE_OUT_OF_MEMORY); return; }
  c->wait = WAIT_MAIL;
  c->deadline = nowMs() + s->timeout * 1000;
  flush(s, c);
}

/* One whole reply (its last line in c->last) to the transaction of c.
** Without PIPELINING each command goes out when the one before succeeded. */
static void onReply(SmtpChan *s, Conn *c, int code) {
  const Message *m = c->msg >= 0 ? &s->m[c->msg] : NULL;
  int ok = code / 100 == 2;
  if (!m) { closeConn(s, c); return; }             /* unasked: a 421 shutdown, say */
  switch (c->wait) {
  case WAIT_MAIL:
    if (!ok) break;
    c->wait = WAIT_RCPT;
    if (!c->pipelining) { command(c, "RCPT TO:", m->toAddr); flush(s, c); }
    return;
  case WAIT_RCPT:
    if (!ok) break;
    c->wait = WAIT_DATA;
    if (!c->pipelining) { campBufPuts(&c->out, "DATA\r\n"); flush(s, c); }
    return;
  case WAIT_DATA:
    if (code != 354) break;
    c->wait = WAIT_END;
    campBufPut(&c->out, c->body.p, c->body.n);
    flush(s, c);
    return;
  case WAIT_END:
    if (!ok) break;
    c->wait = WAIT_NONE;
    c->idleSince = nowMs();
    settle(s, c, CURLE_OK);
    return;
  case WAIT_NONE:
    break;
  }
  /* a refusal: pipelined replies may still be on the way, and the session
  ** is in no state to trust -- settle the message, drop the session */
  settle(s, c, code >= 400 ? CURLE_SEND_ERROR : CURLE_WEIRD_SERVER_REPLY);
  closeConn(s, c);
}

/* Read what the server sent c and act on every complete reply. */
static void onReadable(SmtpChan *s, Conn *c) {
  for (;;) {
    size_t got = 0, want = sizeof c->in - 1 - c->nin;
    CURLcode r = curl_easy_recv(c->h, c->in + c->nin, want, &got);
    if (r == CURLE_AGAIN) return;
    if (r != CURLE_OK || got == 0) {
      failConn(s, c, CURLE_RECV_ERROR, "%s", r != CURLE_OK ? curl_easy_strerror(r) : "the server closed the connection");
      return;
    }
    c->nin += got;
    c->in[c->nin] = 0;
    char *line = c->in, *nl;
    while ((nl = memchr(line, '\n', c->nin - (size_t)(line - c->in)))) {
      size_t k = (size_t)(nl - line);
      while (k && line[k - 1] == '\r') k--;
      int final = k < 4 || line[3] != '-';
      size_t keep = k < sizeof c->last ? k : sizeof c->last - 1;
      memcpy(c->last, line, keep);
      c->last[keep] = 0;
      line = nl + 1;
      if (!final) continue;
      int code = k >= 3 ? atoi(c->last) : 0;
      onReply(s, c, code);
      if (c->state != CONN_READY) return;
    }
    size_t rest = c->nin - (size_t)(line - c->in);
    memmove(c->in, line, rest);
    c->nin = rest;
    if (c->nin == sizeof c->in - 1) {               /* a line longer than any reply */
      failConn(s, c, CURLE_WEIRD_SERVER_REPLY, "reply line too long");
      return;
    }
    /* a short read drained the socket; TLS may hold more than the socket
    ** shows, so there read on until libcurl says "again" */
    if (!c->tls && got < want) return;
  }
}

/* Is an idle session still there?  A server that timed it out has closed
** it (or said 421): readable means gone. */
static int alive(Conn *c) {
  struct pollfd p = { c->fd, POLLIN, 0 };
  return poll(&p, 1, 0) == 0;
}

/* -- the batch --------------------------------------------------------------- */

static int inFlight(const SmtpChan *s, const char *domain) {
  int k = 0;
  for (int i = 0; i < s->nconn; i++)
    if (s->conn[i].msg >= 0 && !strcasecmp(s->conn[i].domain, domain)) k++;
  return k;
}

/* Start message i on idle connection c: on its session, or on a new one. */
static void start(SmtpChan *s, Conn *c, int i) {
  c->msg = i;
  c->domain = strchr(s->m[i].toAddr, '@') + 1;
  if (c->state == CONN_READY && c->idleSince + SMTP_IDLE_CHECK_MS < nowMs() && !alive(c)) closeConn(s, c);
  if (c->state == CONN_READY) { begin(s, c); return; }
  if (openConn(s, c) < 0) {
    snprintf(c->errbuf, sizeof c->errbuf, "libcurl cannot start a session");
    settle(s, c, CURLE_FAILED_INIT);
  }
}

/* Give every idle connection the next message whose domain is under its
** cap; s->next is the first message not yet taken.  When one idle
** connection finds nothing to take, neither will the others. */
static void fill(SmtpChan *s) {
  const Message *m = s->m;
  for (int k = 0, found = 1; k < s->nconn && s->next < s->n && found; k++) {
    Conn *c = &s->conn[k];
    if (c->msg >= 0) continue;
    found = 0;
    for (int i = s->next; i < s->n; i++) {
      if (s->started[i]) continue;
      if (s->down) {
        s->started[i] = 1;
        setStatus(&s->status[i], SEND_RETRY, "%s", s->down);
        s->left--;
        continue;
      }
      int badTo = !plainAddress(m[i].toAddr);
      if (badTo || !plainAddress(m[i].fromAddr)) {
        s->started[i] = 1;
        setStatus(&s->status[i], SEND_FAIL, "invalid %s address '%.200s'", badTo ? "recipient" : "sender",
                  badTo ? m[i].toAddr : m[i].fromAddr);
        for (char *p = s->status[i].why; *p; p++) if (*p == '\r' || *p == '\n') *p = ' ';
        s->left--;
        continue;
      }
      if (inFlight(s, strchr(m[i].toAddr, '@') + 1) >= s->domainCap) continue;
      s->started[i] = 1;
      found = 1;
      start(s, c, i);
      break;
    }
    while (s->next < s->n && s->started[s->next]) s->next++;
  }
}

/* Sessions libcurl finished opening: on to their messages, or settle them
** with what went wrong. */
static void reap(SmtpChan *s) {
  CURLMsg *msg;
  int queued;
  while ((msg = curl_multi_info_read(s->multi, &queued))) {
    if (msg->msg != CURLMSG_DONE) continue;
    Conn *c = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
    CURLcode r = msg->data.result;
    curl_socket_t fd = CURL_SOCKET_BAD;
    if (r == CURLE_OK && curl_easy_getinfo(c->h, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK && fd != CURL_SOCKET_BAD) {
      struct curl_tlssessioninfo *ti = NULL;
      c->state = CONN_READY;
      c->fd = fd;
      c->tls = curl_easy_getinfo(c->h, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK && ti && ti->internals;
      if (c->msg >= 0) begin(s, c);
      continue;
    }
    if (r == CURLE_OK) r = CURLE_GOT_NOTHING;
    if (c->msg >= 0) settleAs(s, c, r, 1);
    curl_multi_remove_handle(s->multi, c->h);
    c->state = CONN_CLOSED;
  }
}

/* One turn: poll libcurl's sockets and the sessions' (a second at most,
** less when a timer or a message's deadline is nearer), then act. */
static void turn(SmtpChan *s) {
  long long now = nowMs(), until = now + 1000;
  int np = 0, running;
  if (s->curlDeadline >= 0 && s->curlDeadline < until) until = s->curlDeadline;
  for (int i = 0; i < s->nCurlFd; i++) { s->pfd[np] = s->curlFd[i]; s->pfdConn[np++] = NULL; }
  for (int k = 0; k < s->nconn; k++) {
    Conn *c = &s->conn[k];
    if (c->state != CONN_READY || c->msg < 0) continue;
    if (c->deadline < until) until = c->deadline;
    s->pfd[np].fd = c->fd;
    s->pfd[np].events = (short)(POLLIN | (c->out.n > c->outOff ? POLLOUT : 0));
    s->pfdConn[np++] = c;
  }
  int wait = until <= now ? 0 : (int)(until - now);
  int ready = poll(s->pfd, (nfds_t)np, wait);
  for (int i = 0; i < np && ready > 0; i++) {
    short r = s->pfd[i].revents;
    Conn *c = s->pfdConn[i];
    if (!r) continue;
    if (!c) {
      curl_multi_socket_action(s->multi, s->pfd[i].fd, (r & (POLLIN | POLLHUP) ? CURL_CSELECT_IN : 0) |
                               (r & POLLOUT ? CURL_CSELECT_OUT : 0) | (r & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0), &running);
      continue;
    }
    if (c->state != CONN_READY || c->msg < 0) continue;
    if ((r & POLLOUT) && flush(s, c) < 0) continue;
    if (r & (POLLIN | POLLHUP | POLLERR)) onReadable(s, c);
  }
  now = nowMs();
  if (s->curlDeadline >= 0 && s->curlDeadline <= now) {
    s->curlDeadline = -1;
    curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  reap(s);
  for (int k = 0; k < s->nconn; k++) {
    Conn *c = &s->conn[k];
    if (c->state == CONN_READY && c->msg >= 0 && c->deadline <= now)
      failConn(s, c, CURLE_OPERATION_TIMEDOUT, "no reply from the server in %ld s", s->timeout);
  }
}

/* Send a batch: keep every connection busy until each message is settled.
** Every message and every session opening has a deadline, so this ends. */
static void smtpSend(Channel *ch, const Message *m, int n, SendStatus *status) {
  SmtpChan *s = (SmtpChan *)ch;
  s->started = calloc((size_t)n + 1, 1);
  if (!s->started) {
    for (int i = 0; i < n; i++) setStatus(&status[i], SEND_RETRY, "out of memory");
    return;
  }
  s->m = m;
  s->status = status;
  s->n = n;
  s->next = 0;
  s->left = n;
  s->down = NULL;
  while (s->left > 0) {
    fill(s);
    if (s->left > 0) turn(s);
  }
  free(s->started);
  s->started = NULL;
}

static void smtpClose(Channel *ch) {
  SmtpChan *s = (SmtpChan *)ch;
  for (int i = 0; i < s->nconn; i++) {
    Conn *c = &s->conn[i];
    if (c->state != CONN_CLOSED) curl_multi_remove_handle(s->multi, c->h);   /* QUIT */
    if (c->h) curl_easy_cleanup(c->h);
    campBufFree(&c->out);
    campBufFree(&c->body);
    campBufFree(&c->raw);
  }
  if (s->multi) curl_multi_cleanup(s->multi);
  free(s->conn);
  free(s->curlFd);
  free(s->pfd);
  free(s->pfdConn);
  free(s->url);
  free(s->cafile);
  free(s);
}

/* The options every session shares. */
static int setupConn(SmtpChan *s, Conn *c, const char *user, const char *pass) {
  c->msg = -1;
  c->fd = CURL_SOCKET_BAD;
  if (!(c->h = curl_easy_init())) return -1;
  CURL *h = c->h;
  curl_easy_setopt(h, CURLOPT_URL, s->url);
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)c);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, replyLine);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, s->timeout < SMTP_CONNECT_TIMEOUT ? s->timeout : SMTP_CONNECT_TIMEOUT);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, s->timeout);
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, s->timeout);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USE_SSL, s->tlsRequired ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
  if (s->cafile) curl_easy_setopt(h, CURLOPT_CAINFO, s->cafile);
  if (user) {
    curl_easy_setopt(h, CURLOPT_USERNAME, user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, pass ? pass : "");
  }
  return 0;
}

Channel *campChanSmtpOpen(const char *url, int connections, char *err, size_t errSize) {
  static int curlReady;
  if (!curlReady) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) { snprintf(err, errSize, "cannot initialise libcurl"); return NULL; }
    curlReady = 1;
  }
  const char *user = getenv("CAMP_SMTP_USER"), *pass = getenv("CAMP_SMTP_PASSWORD");
  if (user && !*user) user = NULL;
  SmtpChan *s = calloc(1, sizeof *s);
  if (!s) { snprintf(err, errSize, "out of memory"); return NULL; }
  s->base.kind = "smtp";
  s->base.send = smtpSend;
  s->base.close = smtpClose;
  int nconn = connections > 0 ? connections : SMTP_DEFAULT_CONNECTIONS;
  s->domainCap = nconn;
  s->timeout = SMTP_TRANSFER_TIMEOUT;
  s->curlDeadline = -1;
  if (parseUrl(s, url, user != NULL, err, errSize) < 0) { smtpClose(&s->base); return NULL; }
  if (s->domainCap > nconn) s->domainCap = nconn;
  s->multi = curl_multi_init();
  s->conn = calloc((size_t)nconn, sizeof *s->conn);
  s->capCurlFd = 2 * nconn + 4;                      /* happy eyeballs: two sockets a session at most */
  s->curlFd = calloc((size_t)s->capCurlFd, sizeof *s->curlFd);
  s->pfd = calloc((size_t)(s->capCurlFd + nconn), sizeof *s->pfd);
  s->pfdConn = calloc((size_t)(s->capCurlFd + nconn), sizeof *s->pfdConn);
  if (!s->multi || !s->conn || !s->curlFd || !s->pfd || !s->pfdConn) { snprintf(err, errSize, "out of memory"); smtpClose(&s->base); return NULL; }
  curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, onSocket);
  curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
  curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, onTimer);
  curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
  for (int i = 0; i < nconn; i++) {
    s->nconn = i + 1;
    if (setupConn(s, &s->conn[i], user, pass) < 0) {
      snprintf(err, errSize, "cannot create a libcurl handle");
      smtpClose(&s->base);
      return NULL;
    }
  }
  return &s->base;
}
