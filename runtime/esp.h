/*
** runtime/esp.h -- the email service providers' side of a sync
** (docs/SYNC.md): one driver per provider, each speaking its API over
** esp_http.c and knowing nothing of the database.
**
** The sync engine (runtime/sync*.c) reads a deployed sync, opens an
** EspConn, asks the driver what the provider holds, works out the changes
** and hands them back; imports arrive through callbacks, one row at a
** time, in the provider's order.  A driver never decides what camp should
** do; it only reads and writes the provider, reporting per-member
** failures in the provider's words.
*/
#ifndef CAMP_ESP_H
#define CAMP_ESP_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "runtime/esp_http.h"
#include "runtime/program.h"

/* A member's status at the provider. */
typedef enum {
  ESP_SUBSCRIBED = 1,   /* Mailchimp subscribed; Dotdigital Subscribed / SoftBounced */
  ESP_UNSUBSCRIBED,     /* unsubscribed there (by the member or by a sync) */
  ESP_CLEANED,          /* hard bounced: Mailchimp cleaned; Dotdigital HardBounced */
  ESP_COMPLAINED,       /* marked as spam: Dotdigital ISPComplained; a Mailchimp abuse report */
  ESP_PENDING,          /* awaiting confirmation (Mailchimp pending) */
  ESP_OTHER             /* anything else (archived, transactional, Suppressed...) */
} EspStatus;

/* One member as the provider holds it. */
typedef struct EspMember {
  char *email;          /* lower-cased */
  EspStatus status;
  char **values;        /* conn->nfield values in the sync's field order, NULL = empty */
  char *id;             /* the provider's id for it (Dotdigital contact id), or NULL */
} EspMember;
typedef struct EspMembers { EspMember *v; size_t n, cap; } EspMembers;
/* A zeroed slot at the end of m, its values array allocated for nfield
** (NULL when out of memory).  campEspMembersFree frees every string. */
EspMember *campEspMembersAdd(EspMembers *m, size_t nfield);
void campEspMembersFree(EspMembers *m, size_t nfield);

/* One change to make at the provider (the export). */
typedef enum {
  ESP_ADD = 1,          /* subscribe (with values) and put into the segment / address book */
  ESP_UPDATE,           /* new values for a member already there */
  ESP_UNSUBSCRIBE,      /* unsubscribed in the list: unsubscribed there, out of the segment / book */
  ESP_REMOVE,           /* no longer in the list's send set: out of the segment / book */
  ESP_DELETE            /* removed from the list (Oro's "remove"): out of the segment and archived from the audience */
} EspOp;
typedef struct EspChange {
  EspOp op;
  const char *email;
  char *const *values;  /* ADD, UPDATE: conn->nfield values (NULL = empty); else NULL */
  const char *id;       /* the provider's id when known (EspMember.id), else NULL */
} EspChange;

/* A member the provider refused: its address and the provider's words. */
typedef void (*EspFailFn)(void *ctx, const char *email, const char *why);

/* A status change at the provider since the cursor (the import). */
typedef struct EspStatusChange {
  const char *email;
  EspStatus status;     /* ESP_UNSUBSCRIBED, ESP_CLEANED, ESP_COMPLAINED (others are not reported) */
  int64_t at;           /* when, seconds since the epoch (INT64_MIN: unknown) */
  const char *reason;   /* the provider's words, or NULL */
} EspStatusChange;
typedef int (*EspStatusFn)(void *ctx, const EspStatusChange *s);

/* A campaign the provider sent to the connected segment / address book. */
typedef struct EspCampaign {
  const char *id;       /* the provider's campaign id */
  const char *title;    /* its name there */
  const char *subject;
  int64_t sentAt;       /* seconds since the epoch */
} EspCampaign;
typedef int (*EspCampaignFn)(void *ctx, const EspCampaign *c);

/* Per-member activity on such a campaign. */
typedef enum { ESP_ACT_SENT = 1, ESP_ACT_OPEN, ESP_ACT_CLICK, ESP_ACT_BOUNCE, ESP_ACT_ABUSE, ESP_ACT_UNSUB } EspActKind;
typedef struct EspActivity {
  const char *email;
  EspActKind kind;
  int64_t at;           /* INT64_MIN: unknown */
  const char *url;      /* a click's URL, else NULL */
  int hard;             /* a bounce: 1 hard, 0 soft */
  const char *key;      /* drivers whose activity are deltas (Mailchimp): a key unique to this one event
                           (campaign, email, action, timestamp, url) -- imported once; totals drivers: NULL */
  long count;           /* deltas: 1; totals (Dotdigital): the member's total of this kind, which camp sets */
} EspActivity;
typedef int (*EspActivityFn)(void *ctx, const EspActivity *a);

/* A mailing camp delivers through the provider (`via`). */
typedef struct EspMailing {
  const char *name, *title;
  const char *subject;
  const char *fromName, *fromEmail;   /* the mailing's sender, split */
  const char *html, *text;            /* rendered once, the mapped fields as merge tags (EspDriver.mergeTag), without
                                         camp's value marks (campTrackUnmarked): plain UTF-8 */
  int64_t at;                         /* when to send: 0 = now, else schedule at that time */
} EspMailing;

/* One open connection to one sync's audience + segment or address book. */
typedef struct EspConn {
  int esp;                          /* EspKind */
  const char *sync;                 /* the sync's name, for messages */
  const char *remote;               /* the Mailchimp audience id / the Dotdigital address book name */
  const char *segment;              /* the Mailchimp static segment's name; NULL for Dotdigital */
  const char *const *tags;          /* merge tags / data field names, in the sync's order */
  size_t nfield;
  char remoteId[64];                /* the segment's / address book's id: in as camp_sync.remote_id ("" unknown), out found
                                       or created */
  int dryRun;                       /* read only: open must not create anything, apply/create/send are never called */
  EspHttp http;
  FILE *log;                        /* where the driver says what it waits for (429, polls); may be NULL */
  void *drv;                        /* the driver's own state */
} EspConn;

/* Every call returns 0, or -1 with one line in err ("mailchimp: 401 API Key
** Invalid: Your API key may be invalid..."): the provider's words. */
typedef struct EspDriver {
  const char *name;                 /* "mailchimp", "dotdigital" */
  int totals;                       /* 1: activity counts are totals to set (Dotdigital), 0: deltas with keys (Mailchimp) */
  const char *mergeTag;             /* printf format of a merge tag in content: "*|%s|*" / "@%s@" */
  /* Credentials from the environment (docs/SYNC.md), base URL (overridable), the audience / address book checked;
  ** the segment / book found by name (remoteId), and unless dryRun created when missing, with any merge / data
  ** field of c->tags the provider lacks. */
  int (*open)(EspConn *c, char *err, size_t errSize);
  void (*close)(EspConn *c);
  /* Every member of the segment / address book, every page (none when remoteId is "" in a dry run). */
  int (*members)(EspConn *c, EspMembers *out, char *err, size_t errSize);
  /* Make the changes, in batches the API takes (Mailchimp <= 500 per call; Dotdigital one CSV import, polled to
  ** its end); a member the provider refuses goes to fail() and the rest go on; -1 only when nothing could be done. */
  int (*apply)(EspConn *c, const EspChange *ch, size_t n, EspFailFn fail, void *ctx, char *err, size_t errSize);
  /* Status changes (unsubscribed, cleaned, complained) since cursor ("" = from the start); *next (nextSize bytes)
  ** the cursor to store once they are all applied. */
  int (*statuses)(EspConn *c, const char *cursor, EspStatusFn fn, void *ctx, char *next, size_t nextSize,
                  char *err, size_t errSize);
  /* Campaigns sent to the segment / book since cursor. */
  int (*campaigns)(EspConn *c, const char *cursor, EspCampaignFn fn, void *ctx, char *next, size_t nextSize,
                   char *err, size_t errSize);
  /* Per-member activity on campaign id since cursor (every page). */
  int (*activity)(EspConn *c, const char *id, const char *cursor, EspActivityFn fn, void *ctx, char *next, size_t nextSize,
                  char *err, size_t errSize);
  /* `via`: create the provider's campaign for the segment / book with m's content (id out), then -- a separate
  ** call, after the engine has stored the id -- send or schedule it.  state: 1 sent or scheduled, 0 not yet. */
  int (*create)(EspConn *c, const EspMailing *m, char *id, size_t idSize, char *err, size_t errSize);
  int (*send)(EspConn *c, const char *id, int64_t at, char *err, size_t errSize);
  int (*state)(EspConn *c, const char *id, int *sent, char *err, size_t errSize);
} EspDriver;

extern const EspDriver campEspMailchimp;    /* runtime/esp_mailchimp.c */
extern const EspDriver campEspDotdigital;   /* runtime/esp_dotdigital.c */
/* The driver of EspKind esp (NULL: none). */
const EspDriver *campEspDriver(int esp);

#endif
