/*
** runtime/message.h -- outgoing messages and the channels that carry them.
**
** Owns: the Message a send hands to a channel, composing an RFC 5322 email
** from it (message.c), tracking (track.c: signed tokens, link rewriting, the
** open pixel) and the Channel interface every carrier implements
** (chan_file.c, chan_sink.c; SMTP and SMS gateways in chan_smtp.c and
** chan_http.c).  Does not own: deciding what to send (sched.c).
*/
#ifndef CAMP_MESSAGE_H
#define CAMP_MESSAGE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"

typedef struct Message {
  const char *messageId;        /* without <>: "t123.ab12cd@camp.example" */
  const char *fromName;         /* may be NULL */
  const char *fromAddr;
  const char *toName;           /* may be NULL */
  const char *toAddr;           /* email address or phone number */
  const char *subject;          /* email only */
  const char *html;             /* email: the HTML part (already tracked) */
  const char *text;             /* email plain part, or the SMS text */
  const char *unsubscribeUrl;   /* List-Unsubscribe target, may be NULL */
  const char *campaignCode;     /* for headers and gateways, may be NULL */
  int64_t date;                 /* seconds since epoch */
} Message;

/* Limits on header values, in bytes before encoding.  Text (subject,
** names, campaign code) is folded into lines of at most 78 characters, so
** its limit is a sanity bound: a 10 MB subject is a mistake or an attack,
** not a subject.  Addresses, Message-IDs and URLs cannot be folded and
** must fit RFC 5322's 998-character line. */
#define CAMP_HEADER_TEXT_MAX 16384
#define CAMP_HEADER_ADDR_MAX 320
#define CAMP_HEADER_URL_MAX 900

/* 0 when m can be composed; -1 with one line in why (which value, its size,
** the limit) when a header value is past its limit.  Channels call it
** before composing and fail the message (SEND_FAIL) with that line. */
int campMessageCheck(const Message *m, char *why, size_t whySize);

/* Compose an RFC 5322 message: multipart/alternative (text + HTML) in
** UTF-8 quoted-printable, RFC 2047 encoded subject and names, Date,
** Message-ID, List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).  Any
** control character (CR, LF, TAB, ...) in a header value becomes a space:
** record values can never inject a header.  Header lines are folded to at
** most 78 characters.  Returns 0, -1 on out of memory, or -2 (nothing
** written) when campMessageCheck refuses m. */
int campMessageCompose(const Message *m, Buf *out);

/* Result of a send. */
typedef enum {
  SEND_OK = 0,
  SEND_RETRY = 1,       /* temporary (4xx, dropped connection, timeout): try again later */
  SEND_FAIL = 2,        /* permanent (5xx, bad address): the trace is an error */
  SEND_UNSENT = 3,      /* not started: the run was told to stop (Channel.stop) */
  SEND_BOUNCED = 4      /* the recipient or the message refused for good (SMTP 5xx to RCPT TO or
                        ** DATA): a hard bounce -- the trace is processed and bounced, the
                        ** address suppressed, `on bounce` fires */
} SendResult;

/* What became of one message of a batch: the result and, unless SEND_OK,
** the reason in the carrier's own words ("451 4.7.1 try later"). */
typedef struct SendStatus { SendResult result; char why[256]; } SendStatus;

typedef struct Channel Channel;
struct Channel {
  const char *kind;     /* "file", "sink", "smtp", "http" */
  /* Send the n messages of a batch -- concurrently, where the carrier can --
  ** and fill status[i] for m[i].  A message is never half-reported: each
  ** gets exactly one status.  Sending the same messageId twice must be
  ** harmless for channels that can make it so (file: rewrites the same
  ** file). */
  void (*send)(Channel *c, const Message *m, int n, SendStatus *status);
  void (*close)(Channel *c);
  long sent;
  int dedupes;          /* a second send of a Message-ID is harmless here (file:, sink:) */
  /* Set by the caller before send.  done(doneCtx, i) is called on the
  ** sending thread as soon as status[i] is final, so the caller can record
  ** it while the rest are out.  When *stop becomes non-zero, messages not
  ** yet started are not started: their status is SEND_UNSENT.  The same
  ** when *lost does (the sender was judged dead while it sent: another
  ** runner owns the rest now). */
  void (*done)(void *ctx, int i);
  void *doneCtx;
  volatile sig_atomic_t *stop;
  volatile sig_atomic_t *lost;
};

/* For carriers: status[i] is final (calls c->done). */
void campChanSettled(Channel *c, int i);
/* For carriers: whether to start no more messages. */
int campChanStopping(const Channel *c);

/* Open a mail channel from a URL: "file:DIR", "sink:" (count only),
** "smtp://host:port", "smtps://host:port" (chan_smtp.c).  connections:
** how many sessions may run at once (0: the carrier's default).  NULL
** with a message in err. */
Channel *campChanOpenMail(const char *url, int connections, char *err, size_t errSize);
/* Open an SMS channel: "file:DIR", "sink:", "http(s)://gateway/…"
** (chan_http.c). */
Channel *campChanOpenSms(const char *url, int connections, char *err, size_t errSize);
void campChanClose(Channel *c);

/* Channel constructors, one file each. */
Channel *campChanFileOpen(const char *dir, int sms, char *err, size_t errSize);
Channel *campChanSinkOpen(void);
/* A sink that keeps a copy of what it was given (camp test): the last
** message sent with messageId, or NULL.  Only for a keeping sink's channel. */
typedef struct SinkMessage { char *messageId, *to, *subject, *text; } SinkMessage;
Channel *campChanSinkOpenKeeping(void);
const SinkMessage *campChanSinkFind(Channel *c, const char *messageId);
Channel *campChanSmtpOpen(const char *url, int connections, char *err, size_t errSize);
Channel *campChanHttpOpen(const char *url, int connections, char *err, size_t errSize);
/* libcurl's global setup, done once per process whoever asks first (the
** carriers, IMAP ingest); thread-safe.  0, or -1 when libcurl cannot start. */
int campChanCurlInit(void);

/* -- tracking (track.c) ------------------------------------------------- */

/* A token names (kind, trace id, link index) and is signed with
** HMAC-SHA256 under the secret: base64url, no padding. kind: 'o' open,
** 'r' redirect, 'u' unsubscribe. */
void campTrackToken(const char *secret, char kind, int64_t trace, uint32_t link, char out[64]);
/* Verify and decode; 0 when authentic, -1 when forged, altered or of
** another kind. */
int campTrackVerify(const char *secret, char kind, const char *token, int64_t *trace, uint32_t *link);

/* The caller numbers the links of a message: onLink(ctx, url, len) returns
** the index of url (the same index each time the same URL comes again, in
** the HTML or the text part), or UINT32_MAX to leave that link untracked. */
typedef uint32_t (*TrackLinkFn)(void *ctx, const char *url, size_t len);

/* Rewrite every http(s) href of html to base/r/TOKEN (TOKEN names the
** trace and the link's index) and append the open pixel base/o/TOKEN
** before </body> (or at the end).  mailto:, tel:, sms: and fragment links
** are left alone.  Template values arrive between CAMP_VALUE_OPEN and
** CAMP_VALUE_CLOSE (runtime/opcodes.h): a link inside a value, or whose
** scheme or host comes from one, is never rewritten nor passed to onLink;
** the marks are stripped from out.  onLink gets the target with the
** HTML's character references decoded (&amp; is &). */
int campTrackHtml(const char *html, const char *base, const char *secret, int64_t trace,
                  TrackLinkFn onLink, void *ctx, Buf *out);

/* A rendered template with its values' marks stripped and nothing else
** changed: content another sender tracks (a mailing delivered via an ESP,
** runtime/sync_deliver.c).  0, or -1 when out of memory (out->oom). */
int campTrackUnmarked(const char *s, Buf *out);

/* Rewrite http(s) URLs in plain or SMS text the same way (short tracked
** URLs), with the same rule for values. */
int campTrackText(const char *text, const char *base, const char *secret, int64_t trace,
                  TrackLinkFn onLink, void *ctx, Buf *out);

/* The webhook carrier (chan_http.c): POST the n JSON bodies of one trace's
** webhooks, body[i] to url[i], in order, 10 s each, with $CAMP_WEBHOOK_AUTH
** as the Authorization header when set.  *status is the first result that
** is not SEND_OK (why: "webhook URL: HTTP 500: ..."; SEND_RETRY on
** timeouts, dropped connections, 429 and 5xx), or SEND_OK; when *stop
** becomes non-zero, the rest are not started (SEND_UNSENT). */
void campChanHttpPostHooks(const char *const *url, const char *const *body, int n, volatile sig_atomic_t *stop,
                           SendStatus *status);

#endif
