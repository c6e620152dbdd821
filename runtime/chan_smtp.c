/*
** runtime/chan_smtp.c -- the smtp:// and smtps:// mail carrier (libcurl).
**
** Owns: SMTP sessions to one relay -- the URL and its query options, TLS
** (STARTTLS when offered, required with ?tls=required, implicit with
** smtps://), AUTH from CAMP_SMTP_USER / CAMP_SMTP_PASSWORD, sending a
** batch over N connections at once with a per-recipient-domain cap, and
** turning what the server said into a SendStatus: 2xx sent, 4xx or a lost
** connection retried, 5xx to RCPT TO or DATA a hard bounce of that message
** alone, 5xx to MAIL FROM an error for that message alone.
** Does not own: the bytes of a message (message.c) or when a retry happens
** (sched.c: campSchedBackoff).
**
** N easy handles live as long as the channel on one multi handle, whose
** connection cache keeps the sessions open between messages and batches:
** a message costs MAIL, RCPT, DATA and the body, never a new handshake.
*/
#include <curl/curl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "runtime/message.h"

#define SMTP_DEFAULT_CONNECTIONS 4
#define SMTP_CONNECT_TIMEOUT 10L        /* seconds to connect and greet */
#define SMTP_TRANSFER_TIMEOUT 60L       /* seconds for one whole message */

/* One session slot: an easy handle and the message it is carrying. */
typedef struct Conn {
  CURL *h;
  int msg;                      /* index in the batch, -1 when idle */
  const char *domain;           /* recipient domain of msg (in the batch) */
  Buf data;                     /* the composed message ... */
  size_t off;                   /* ... and how much curl has read of it */
  struct curl_slist *rcpt;
  char last[200];               /* the server's last reply line */
  int mailSent;                 /* MAIL FROM went out for this message: a 5xx is about it */
  int lastCmd;                  /* the last command sent (CMD_*): libcurl does not pipeline, ... */
  int replyTo;                  /* ... so the last reply kept answers this one */
  char errbuf[CURL_ERROR_SIZE];
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
  const char *down;             /* set when the relay itself failed this batch */
  char downWhy[256];
  struct pollfd *pfd;           /* the sockets libcurl asked us to watch */
  int npfd, capPfd;
  long long deadline;           /* when libcurl wants its timer run (ms, monotonic), -1 none */
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

/* -- curl callbacks ------------------------------------------------------- */

static size_t readBody(char *buf, size_t size, size_t nitems, void *arg) {
  Conn *c = arg;
  size_t n = size * nitems, left = c->data.n - c->off;
  if (n > left) n = left;
  memcpy(buf, c->data.p + c->off, n);
  c->off += n;
  return n;
}

enum { CMD_OTHER, CMD_MAIL, CMD_RCPT, CMD_DATA };

/* libcurl shows SMTP reply lines only to the debug callback (as
** CURLINFO_HEADER_IN); keep the last one, without its line end, as the
** server's words.  libcurl ends a failed transfer with QUIT: its "221 Bye"
** would hide the reply that failed it, so it is not kept. */
static int replyLine(CURL *h, curl_infotype type, char *buf, size_t n, void *arg) {
  Conn *c = arg;
  size_t k = n;
  (void)h;
  if (type == CURLINFO_HEADER_OUT && n >= 10 && !strncasecmp(buf, "MAIL FROM:", 10)) c->mailSent = 1;
  if (type == CURLINFO_HEADER_OUT)            /* the message's body is DATA_OUT: its reply stays DATA's */
    c->lastCmd = n >= 10 && !strncasecmp(buf, "MAIL FROM:", 10) ? CMD_MAIL : n >= 8 && !strncasecmp(buf, "RCPT TO:", 8) ? CMD_RCPT
               : n >= 4 && !strncasecmp(buf, "DATA", 4) && (n == 4 || buf[4] == '\r' || buf[4] == '\n') ? CMD_DATA : CMD_OTHER;
  if (type != CURLINFO_HEADER_IN) return 0;
  if (n >= 4 && !memcmp(buf, "221", 3) && (buf[3] == ' ' || buf[3] == '-')) return 0;   /* the QUIT after a failure */
  while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r')) k--;
  if (k >= sizeof c->last) k = sizeof c->last - 1;
  memcpy(c->last, buf, k);
  c->last[k] = 0;
  c->replyTo = c->lastCmd;
  return 0;
}

/* -- one message ------------------------------------------------------------ */

/* An address we can put in MAIL FROM or RCPT TO: something@something and no
** character that could end the command or the path. */
static int plainAddress(const char *a) {
  const char *at = strchr(a, '@');
  if (!at || at == a || !at[1]) return 0;
  for (const unsigned char *p = (const unsigned char *)a; *p; p++)
    if (*p <= ' ' || *p == 0x7f || strchr("<>(),;\\\"", *p)) return 0;
  return 1;
}

static int inFlight(const SmtpChan *s, const char *domain) {
  int k = 0;
  for (int i = 0; i < s->nconn; i++)
    if (s->conn[i].msg >= 0 && !strcasecmp(s->conn[i].domain, domain)) k++;
  return k;
}

static void setStatus(SendStatus *st, SendResult r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setStatus(SendStatus *st, SendResult r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  st->result = r;
  vsnprintf(st->why, sizeof st->why, fmt, ap);
  va_end(ap);
}

/* Put message i on idle connection c.  0 when it is under way; -1 when it
** was settled on the spot (status filled). */
static int startMessage(SmtpChan *s, Conn *c, const Message *m, int i, SendStatus *st) {
  c->data.n = 0;
  c->data.oom = 0;
  c->off = 0;
  c->last[0] = 0;
  c->errbuf[0] = 0;
  c->mailSent = 0;
  c->lastCmd = c->replyTo = CMD_OTHER;
  if (campMessageCheck(m, st->why, sizeof st->why) < 0) { st->result = SEND_FAIL; return -1; }   /* a header past its limit */
  if (campMessageCompose(m, &c->data) < 0) { setStatus(st, SEND_RETRY, "out of memory composing the message"); return -1; }
  curl_slist_free_all(c->rcpt);
  c->rcpt = curl_slist_append(NULL, m->toAddr);
  if (!c->rcpt) { setStatus(st, SEND_RETRY, "out of memory"); return -1; }
  curl_easy_setopt(c->h, CURLOPT_MAIL_FROM, m->fromAddr);
  curl_easy_setopt(c->h, CURLOPT_MAIL_RCPT, c->rcpt);
  curl_easy_setopt(c->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)c->data.n);
  c->msg = i;
  c->domain = strchr(m->toAddr, '@') + 1;
  if (curl_multi_add_handle(s->multi, c->h) != CURLM_OK) {
    c->msg = -1;
    setStatus(st, SEND_RETRY, "cannot start a transfer");
    return -1;
  }
  return 0;
}

/* Failures of the relay itself rather than of one message: the rest of
** the batch would only fail the same way, so it is not tried. */
static int relayDown(CURLcode r, int code) {
  return r == CURLE_COULDNT_RESOLVE_HOST || r == CURLE_COULDNT_CONNECT || r == CURLE_LOGIN_DENIED ||
         r == CURLE_USE_SSL_FAILED || r == CURLE_SSL_CONNECT_ERROR || r == CURLE_PEER_FAILED_VERIFICATION ||
         r == CURLE_SSL_CACERT_BADFILE || (r == CURLE_OPERATION_TIMEDOUT && code == 0) ||
         code == 530 || code == 534 || code == 535 || code == 538;
}

/* What became of a finished transfer, in the server's words where it
** said any. */
static void settle(SmtpChan *s, Conn *c, CURLcode r, SendStatus *st) {
  int code = 0;
  if (c->last[0] >= '2' && c->last[0] <= '5' && c->last[1] >= '0' && c->last[1] <= '9' && c->last[2] >= '0' && c->last[2] <= '9')
    code = (c->last[0] - '0') * 100 + (c->last[1] - '0') * 10 + (c->last[2] - '0');
  const char *words = c->last[0] ? c->last : c->errbuf[0] ? c->errbuf : curl_easy_strerror(r);
  if (r == CURLE_OK) {
    st->result = SEND_OK;
    st->why[0] = 0;
    s->base.sent++;
    return;
  }
  if (code < 400) code = 0;           /* a 2xx/3xx before the failure says nothing of it */
  if (r == CURLE_LOGIN_DENIED || code == 530 || code == 534 || code == 535 || code == 538)
    setStatus(st, SEND_RETRY, "authentication failed: %.180s%s", code ? c->last : c->errbuf[0] ? c->errbuf : "login denied",
              getenv("CAMP_SMTP_USER") ? "" : " (set CAMP_SMTP_USER and CAMP_SMTP_PASSWORD)");
  else if (code >= 500 && code < 600 && !c->mailSent)     /* refused the session, not this message */
    setStatus(st, SEND_RETRY, "the server refused the session: %.180s", c->last);
  else if (code >= 500 && code < 600 && (c->replyTo == CMD_RCPT || c->replyTo == CMD_DATA))
    setStatus(st, SEND_BOUNCED, "%s", c->last);             /* this recipient or message, for good */
  else if (code >= 500 && code < 600) setStatus(st, SEND_FAIL, "%s", c->last);
  else if (code >= 400) setStatus(st, SEND_RETRY, "%s", c->last);
  else if (r == CURLE_USE_SSL_FAILED)
    setStatus(st, SEND_RETRY, "TLS required (tls=required) but the server does not offer STARTTLS");
  else if (r == CURLE_OPERATION_TIMEDOUT)
    setStatus(st, SEND_RETRY, "timed out: no reply from the server in %ld s", s->timeout);
  else if (r == CURLE_COULDNT_CONNECT || r == CURLE_COULDNT_RESOLVE_HOST)
    setStatus(st, SEND_RETRY, "cannot connect: %.200s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(r));
  else if (r == CURLE_SSL_CONNECT_ERROR || r == CURLE_PEER_FAILED_VERIFICATION || r == CURLE_SSL_CACERT_BADFILE)
    setStatus(st, SEND_RETRY, "TLS failed: %.200s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(r));
  else if (r == CURLE_SEND_ERROR || r == CURLE_RECV_ERROR || r == CURLE_GOT_NOTHING)
    setStatus(st, SEND_RETRY, "connection lost: %.200s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(r));
  else setStatus(st, SEND_RETRY, "%.200s", words);
  if ((relayDown(r, code) || (code >= 500 && !c->mailSent)) && !s->down) {
    snprintf(s->downWhy, sizeof s->downWhy, "%s", st->why);
    s->down = s->downWhy;
  }
}

/* Give every idle connection the next message whose domain is under its
** cap.  *next is the first message not yet started (the ones before it
** are all under way or settled). */
static void fill(SmtpChan *s, const Message *m, int n, SendStatus *status, char *started, int *next, int *left) {
  for (int k = 0; k < s->nconn && *next < n; k++) {
    Conn *c = &s->conn[k];
    if (c->msg >= 0) continue;
    for (int i = *next; i < n; i++) {
      if (started[i]) continue;
      if (s->down || campChanStopping(&s->base)) {
        started[i] = 1;
        if (s->down) setStatus(&status[i], SEND_RETRY, "%s", s->down);
        else setStatus(&status[i], SEND_UNSENT, "not started: the run is stopping");
        --*left;
        campChanSettled(&s->base, i);
        continue;
      }
      if (!plainAddress(m[i].toAddr) || !plainAddress(m[i].fromAddr)) {
        started[i] = 1;
        int to = !plainAddress(m[i].toAddr);
        setStatus(&status[i], SEND_FAIL, "invalid %s address '%.200s'", to ? "recipient" : "sender", to ? m[i].toAddr : m[i].fromAddr);
        for (char *p = status[i].why; *p; p++) if (*p == '\r' || *p == '\n') *p = ' ';
        --*left;
        campChanSettled(&s->base, i);
        continue;
      }
      if (inFlight(s, strchr(m[i].toAddr, '@') + 1) >= s->domainCap) continue;
      started[i] = 1;
      if (startMessage(s, c, &m[i], i, &status[i]) < 0) { --*left; campChanSettled(&s->base, i); continue; }
      break;
    }
    while (*next < n && started[*next]) ++*next;
  }
}

/* -- the event loop ---------------------------------------------------------- */

/* libcurl tells which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
** to call it back on a timer; the loop polls just those sockets and hands
** each ready one to curl_multi_socket_action, which runs only the transfer
** on it (curl_multi_perform would walk, and poll, every connection). */
static int onSocket(CURL *e, curl_socket_t fd, int what, void *arg, void *sockp) {
  SmtpChan *s = arg;
  int i = 0;
  (void)e; (void)sockp;
  while (i < s->npfd && s->pfd[i].fd != fd) i++;
  if (what == CURL_POLL_REMOVE) {
    if (i < s->npfd) s->pfd[i] = s->pfd[--s->npfd];
    return 0;
  }
  if (i == s->npfd) {
    if (s->npfd == s->capPfd) {
      int cap = s->capPfd ? s->capPfd * 2 : 16;
      struct pollfd *p = realloc(s->pfd, (size_t)cap * sizeof *p);
      if (!p) return -1;
      s->pfd = p;
      s->capPfd = cap;
    }
    s->pfd[s->npfd++].fd = fd;
  }
  s->pfd[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
  s->pfd[i].revents = 0;
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
  s->deadline = ms < 0 ? -1 : nowMs() + ms;
  return 0;
}

/* Settle every finished transfer; how many there were. */
static int reap(SmtpChan *s, SendStatus *status, int *left) {
  CURLMsg *msg;
  int queued, done = 0;
  while ((msg = curl_multi_info_read(s->multi, &queued))) {
    if (msg->msg != CURLMSG_DONE) continue;
    Conn *c = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
    CURLcode r = msg->data.result;
    curl_multi_remove_handle(s->multi, c->h);
    settle(s, c, r, &status[c->msg]);
    campChanSettled(&s->base, c->msg);
    c->msg = -1;
    --*left;
    done++;
  }
  return done;
}

/* Send a batch: keep all connections busy until every message is settled.
** Each transfer has its own timeout, so this always ends. */
static void smtpSend(Channel *ch, const Message *m, int n, SendStatus *status) {
  SmtpChan *s = (SmtpChan *)ch;
  char *started = calloc((size_t)n + 1, 1);
  int next = 0, left = n, running;
  struct { curl_socket_t fd; int flags; } ready[64];
  s->down = NULL;
  if (!started) {
    for (int i = 0; i < n; i++) { setStatus(&status[i], SEND_RETRY, "out of memory"); campChanSettled(ch, i); }
    return;
  }
  while (left > 0) {
    fill(s, m, n, status, started, &next, &left);
    if (left == 0) break;
    long long now = nowMs();
    int wait = s->deadline < 0 ? 1000 : s->deadline <= now ? 0 : (int)(s->deadline - now < 1000 ? s->deadline - now : 1000);
    int nready = 0;
    if (poll(s->pfd, (nfds_t)s->npfd, wait) > 0) {
      /* collect first: the callbacks reshape the table */
      for (int i = 0; i < s->npfd && nready < (int)(sizeof ready / sizeof *ready); i++) {
        short r = s->pfd[i].revents;
        if (!r) continue;
        ready[nready].fd = s->pfd[i].fd;
        ready[nready++].flags = (r & (POLLIN | POLLHUP) ? CURL_CSELECT_IN : 0) | (r & POLLOUT ? CURL_CSELECT_OUT : 0) |
                                (r & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0);
      }
    }
    for (int i = 0; i < nready; i++) curl_multi_socket_action(s->multi, ready[i].fd, ready[i].flags, &running);
    if (s->deadline >= 0 && s->deadline <= nowMs()) {
      s->deadline = -1;
      curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    reap(s, status, &left);
  }
  free(started);
}

static void smtpClose(Channel *ch) {
  SmtpChan *s = (SmtpChan *)ch;
  for (int i = 0; i < s->nconn; i++) {
    Conn *c = &s->conn[i];
    if (c->h && c->msg >= 0) curl_multi_remove_handle(s->multi, c->h);
    if (c->h) curl_easy_cleanup(c->h);
    curl_slist_free_all(c->rcpt);
    campBufFree(&c->data);
  }
  if (s->multi) curl_multi_cleanup(s->multi);   /* sends QUIT on the cached sessions */
  free(s->conn);
  free(s->pfd);
  free(s->url);
  free(s->cafile);
  free(s);
}

/* The options every message of a connection shares. */
static int setupConn(SmtpChan *s, Conn *c, const char *user, const char *pass) {
  c->msg = -1;
  if (!(c->h = curl_easy_init())) return -1;
  CURL *h = c->h;
  curl_easy_setopt(h, CURLOPT_URL, s->url);
  curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)c);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, readBody);
  curl_easy_setopt(h, CURLOPT_READDATA, c);
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
  if (campChanCurlInit() < 0) { snprintf(err, errSize, "cannot initialise libcurl"); return NULL; }
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
  s->deadline = -1;
  if (parseUrl(s, url, user != NULL, err, errSize) < 0) { smtpClose(&s->base); return NULL; }
  if (s->domainCap > nconn) s->domainCap = nconn;
  s->multi = curl_multi_init();
  s->conn = calloc((size_t)nconn, sizeof *s->conn);
  if (!s->multi || !s->conn) { snprintf(err, errSize, "out of memory"); smtpClose(&s->base); return NULL; }
  s->nconn = nconn;
  curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)s->nconn);
  curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)s->nconn);
  curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)s->nconn);
  curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, onSocket);
  curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
  curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, onTimer);
  curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
  for (int i = 0; i < s->nconn; i++) {
    if (setupConn(s, &s->conn[i], user, pass) < 0) {
      snprintf(err, errSize, "cannot create a libcurl handle");
      s->nconn = i + 1;
      smtpClose(&s->base);
      return NULL;
    }
  }
  return &s->base;
}
