/*
** runtime/collect.h -- the Matomo-compatible collector: one tracking
** request (or a bulk of them) read into website hits (collect.c).
** The HTTP side (routes, answers, the writer thread) is serve.c's.
*/
#ifndef CAMP_COLLECT_H
#define CAMP_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "runtime/buf.h"
#include "runtime/engine.h"
#include "runtime/store.h"

#define CAMP_COLLECT_BODY_MAX (1 << 20)   /* bytes of a POST body */
#define CAMP_COLLECT_PARAMS_MAX 100       /* parameters of one request */
#define CAMP_COLLECT_BULK_MAX 1000        /* requests of one bulk */
#define CAMP_COLLECT_VALUE_MAX 8192       /* bytes of one parameter's value (decoded) */

/* A request's parameters, decoded, in order (malloc'd). */
typedef struct CollectParam { char *key, *value; } CollectParam;
typedef struct CollectParams {
  CollectParam *p;
  size_t n, cap;
} CollectParams;

/* Add one decoded pair (the server's own parse of a query string).  0, or
** -1 with the reason in err (over a limit, out of memory). */
int campCollectParamsAdd(CollectParams *ps, const char *key, const char *value, char *err, size_t errSize);
/* Parse application/x-www-form-urlencoded text (a leading '?' skipped)
** strictly: '+' is a space, '%' must be followed by two hex digits and
** may not make a NUL.  0, or -1 with the reason in err. */
int campCollectParamsParse(CollectParams *ps, const char *raw, size_t n, char *err, size_t errSize);
void campCollectParamsFree(CollectParams *ps);
/* Is every '%' of s followed by two hex digits (s is valid
** percent-encoding)? */
int campCollectPercentValid(const char *s);

/* Who asks: a read connection, the keys tokens verify under (the current
** one first), whether IPs are kept whole, the peer and its User-Agent. */
typedef struct CollectContext {
  Engine *e;
  const char *const *keys;
  int keepIp;
  const struct sockaddr *peer;      /* NULL: no IP */
  const char *userAgent;            /* the header, or NULL */
} CollectContext;

/* A hit ready for the writer: its strings are its own; note says why a
** uid was not attached ("" : nothing to say). */
typedef struct CollectHit {
  WebHit h;
  char note[160];
} CollectHit;
void campCollectHitFree(CollectHit *h);

/* What a request comes to: its hits (NULL entries never), how many of its
** requests lacked rec=1 (nothing recorded for them), whether it was a
** bulk, and whether the answer is the GIF (send_image=1). */
typedef struct CollectResult {
  CollectHit **hits;
  size_t n, skipped;
  int bulk, image;
} CollectResult;
void campCollectResultFree(CollectResult *r);

/* Read a request: args are the URL's parameters (moved into the result's
** parse, may be empty), body the POST body (NULL/0 for a GET): a form, or
** a bulk {"requests": ["?idsite=..", ...], "token_auth": ..}.  A bulk is
** all or nothing: the first bad entry refuses it, named by its index.
** 0 with *out filled; -1 refused (400) with a one-line reason in err;
** -2 the database failed (503), the message in err. */
int campCollectRequest(const CollectContext *cx, CollectParams *args, const char *body, size_t n, CollectResult *out,
                       char *err, size_t errSize);

/* Record h inside the writer's transaction: the hit, then -- a contact's,
** not a bot's -- what it does to workflows (campSchedVisit).  0, or -1
** with the message in err. */
int campCollectRecord(Engine *e, const WebHit *h, char *err, size_t errSize);

/* The campaign parameters of a page URL (its query, then its fragment;
** Matomo's order: pk_, mtm_, then utm_ names), each malloc'd or NULL:
** the code, UTM source and medium, and keyword.  The collector takes a
** hit's from it, and `camp event visit` its hit's. */
void campCollectUrlCampaign(const char *url, char **code, char **source, char **medium, char **keyword);

/* What h recorded, for the log: "hit SITE NAME by MODEL RECORD" or "... by
** anonymous (NOTE)", printable ASCII, appended to b. */

#endif
