/*
** runtime/program.h -- a compiled campaign image in memory, and its
** serialised form.
**
** Owns: the Program struct (what the compiler's codegen fills and the VM and
** scheduler read), saving it to deterministic bytes with a SHA-256 content
** hash, and loading bytes back with full validation.  Does not own: building
** a Program from source (compiler/codegen.c) or running it (vm.c).
**
** All strings a Program points to (names, constants, code) live in blocks
** owned by the Program; campProgramFree releases everything at once.
*/
#ifndef CAMP_PROGRAM_H
#define CAMP_PROGRAM_H

#include <stddef.h>
#include <stdint.h>
#include "value.h"

#define CAMP_IMAGE_MAGIC   "CAMPIMG\x1a"   /* 8 bytes */
#define CAMP_IMAGE_VERSION 7u             /* 7: time zones, calendar delays, send windows, caps, splits, ifs, A/B tests; 6: syncs, mailings via an ESP; 5: websites, visit triggers; 4: list kinds, initiatives; 3: mailings lowered to campaigns;
                                              2: models carry their opt-out field; 1 to 3 still load
                                              (see campProgramLoad) */
#define CAMP_NONE          UINT32_MAX      /* "no index" in every u32 slot */

/* What the store holds, checked where input enters: by the compiler (E008)
** and again by the loader.  A model is a table and its fields columns. */
#define CAMP_MAX_FIELDS    128             /* fields of a model, `id` included */
#define CAMP_MAX_NAME      63              /* bytes of a model or field name */

/* Activity kinds and triggers (the DESIGN.md trigger table). */
typedef enum {
  ACT_EMAIL = 1, ACT_SMS, ACT_ACTION,
  ACT_SPLIT,        /* image version 7 on: runs at once, takes one path by a stable hash (ProgActivity.share0/nshare) */
  ACT_IF            /* image version 7 on: runs at once, path 0 when its filter (the condition) is true, else path 1 */
} ActKind;

/* An activity kind that runs no channel and no action: a branch node
** whose children are its paths (ProgActivity.path). */
static inline int campActIsBranch(int kind) { return kind == ACT_SPLIT || kind == ACT_IF; }
typedef enum {
  TRIG_BEGIN = 1,   /* top level: enrolment + delay */
  TRIG_DONE,        /* parent executed + delay */
  TRIG_OPEN, TRIG_CLICK, TRIG_REPLY, TRIG_BOUNCE,           /* event + delay */
  TRIG_NO_OPEN, TRIG_NO_CLICK, TRIG_NO_REPLY,               /* parent + window + delay */
  TRIG_VISIT,       /* the contact's website visit after the parent's send + delay (image version 5 on) */
  TRIG_NO_VISIT     /* parent + window + delay, canceled by such a visit */
} Trigger;

/* The two sides of the trigger pairs: a positive branch waits for its
** event (open, click, reply, bounce, visit), a negative one for the end of
** its window without it. */
static inline int campTriggerPositive(int t) { return (t >= TRIG_OPEN && t <= TRIG_BOUNCE) || t == TRIG_VISIT; }
static inline int campTriggerNegative(int t) { return (t >= TRIG_NO_OPEN && t <= TRIG_NO_REPLY) || t == TRIG_NO_VISIT; }

/* The email service providers a sync mirrors a list to (image version 6 on). */
typedef enum {
  ESP_MAILCHIMP = 1,   /* an audience's static segment (Marketing API 3.0) */
  ESP_DOTDIGITAL       /* an address book (v2 REST API) */
} EspKind;

/* What a visit branch matches (ProgActivity.match). */
typedef enum {
  MATCH_ANY = 0,    /* any page view or event */
  MATCH_URL,        /* a hit whose URL is like the pattern (SQL LIKE; a pattern starting with '/' reads the path) */
  MATCH_EVENT       /* a hit whose event name is the pattern */
} VisitMatch;

/* Oro's marketing list kinds (image version 4 on; older lists are dynamic
** with a filter and manual without, and keep nobody). */
typedef enum {
  LIST_DYNAMIC = 1, /* the filter, read live */
  LIST_ON_DEMAND,   /* a snapshot of the filter, replaced by `camp list refresh` */
  LIST_MANUAL       /* the records added by hand or by an action */
} ListKind;

/* An initiative's report buckets. */
typedef enum { SCALE_HOUR = 1, SCALE_DAY, SCALE_MONTH } ReportScale;

/* A mailing's `at` when it has none: sent by `camp send`, never by run. */
#define CAMP_AT_MANUAL INT64_MAX

/* A send window (image version 7 on): the local times of day (minutes
** after midnight, 0-1439) and days a message may go out at, in the
** recipient's zone.  from < to: [from, to); from > to: overnight, from
** until to the next day; days: bit 0 Monday .. bit 6 Sunday.  days == 0:
** no window (always open). */
typedef struct ProgWindow { uint16_t from, to; uint8_t days; } ProgWindow;

/* A frequency cap (image version 7 on): at most n messages on the channel
** per period seconds; n == 0: none. */
typedef struct ProgCap { uint32_t n; int64_t period; } ProgCap;

/* What an activity does when its message is over a cap (ProgActivity.capMode). */
typedef enum {
  CAP_WAIT = 0,     /* deferred until the cap allows (the default) */
  CAP_SKIP,         /* canceled: "frequency cap" (`cap skip`) */
  CAP_EXEMPT        /* not counted against, nor held by, any cap (`cap exempt`: transactional) */
} CapMode;

/* A/B test metric of a mailing's winner activity (ProgActivity.abMetric). */
typedef enum { AB_NONE = 0, AB_OPENS, AB_CLICKS } AbMetric;

/* ProgActivity.atMinute when the activity has no `at HH:MM`. */
#define CAMP_NO_TIME 0xFFFFu

/* Campaign priority when none is given (0-100; higher claims first). */
#define CAMP_PRIORITY_DEFAULT 50

/* A code block's purpose (for the disassembler and validation). */
typedef enum {
  CODE_FILTER = 1,  /* returns bool */
  CODE_TEMPLATE,    /* returns text */
  CODE_ACTIONS      /* runs ACTION instructions, returns null */
} CodeKind;

typedef struct ProgField { uint32_t name; uint8_t type; } ProgField;  /* type: CampType */

typedef struct ProgModel {
  uint32_t name;            /* string index */
  uint32_t nfield;          /* field 0 is always the implicit `id int` */
  ProgField *fields;
  uint32_t optOut;          /* the bool field declared `optout`, or CAMP_NONE (image version 2 on) */
} ProgModel;

typedef struct ProgCampaign {
  uint32_t name, title;     /* string indexes */
  uint32_t model;           /* model index */
  uint32_t filter;          /* code block or CAMP_NONE */
  uint32_t unique;          /* field index or CAMP_NONE */
  uint32_t code;            /* string index or CAMP_NONE */
  uint32_t firstAct, nact;  /* its activities: acts[firstAct .. firstAct+nact) */
  uint32_t line;            /* source line of the declaration */
  /* A mailing is a campaign (image version 3 on): over its list's model,
  ** without a filter of its own (the scheduler sends to its list's send
  ** set: docs/RUNTIME.md, "Lists"), unique on the
  ** model's first email field, with one email activity at TRIG_BEGIN. */
  uint8_t isMailing;        /* 1: lowered from a `mailing` declaration */
  uint32_t list;            /* the list it goes to (a mailing's, or a campaign's `target list`), or CAMP_NONE */
  int64_t at;               /* the mailing's send time, 0 = when started (and for a campaign),
                               CAMP_AT_MANUAL = by `camp send` */
  uint32_t initiative;      /* initiative index or CAMP_NONE (image version 4 on) */
  uint32_t via;             /* a mailing delivered through an ESP: the sync index, or CAMP_NONE (image version 6 on) */
  /* Timing (image version 7 on; before: none of it, times in UTC). */
  uint32_t tz;              /* string index: the IANA zone (`timezone "Europe/Paris"`), or CAMP_NONE: the database's */
  uint32_t tzField;         /* text field holding each recipient's zone (`timezone from FIELD`), or CAMP_NONE */
  ProgWindow win;           /* `send between` for its messages (an activity's own wins), days 0: the database's */
  ProgCap cap[2];           /* its own caps, counting its own messages: [0] email, [1] sms */
  uint8_t priority;         /* 0-100, CAMP_PRIORITY_DEFAULT: among messages due together, higher claims a cap's room first */
  uint8_t atLocal;          /* a mailing `at ... local`: `at` is a wall-clock time (seconds as if UTC) sent at in each recipient's zone */
} ProgCampaign;

typedef struct ProgActivity {
  uint32_t name;            /* string index, unique within its campaign */
  uint32_t campaign;        /* campaign index */
  uint8_t kind;             /* ActKind */
  uint8_t trigger;          /* Trigger */
  uint32_t parent;          /* activity index or CAMP_NONE (TRIG_BEGIN) */
  int64_t delay;            /* seconds after the trigger fires */
  int64_t window;           /* seconds; `within`, 0 = none */
  int64_t expire;           /* seconds of validity after due, 0 = none */
  uint32_t filter;          /* code block or CAMP_NONE */
  uint32_t subject, body, text, from;   /* template code blocks or CAMP_NONE */
  uint32_t actions;         /* CODE_ACTIONS block or CAMP_NONE */
  uint32_t line;            /* source line */
  uint8_t match;            /* VisitMatch of a TRIG_VISIT / TRIG_NO_VISIT branch (MATCH_ANY otherwise) */
  uint32_t pattern;         /* string index: the URL pattern or event name, CAMP_NONE for MATCH_ANY */
  /* Timing and paths (image version 7 on). */
  int32_t delayDays;        /* calendar days of the delay (`after 2 days`, weeks as 7), in the recipient's zone; */
  int32_t delayMonths;      /* calendar months (`after 1 month`: 31 Jan -> last day of Feb); `delay` keeps the
                               minutes and hours, added after these.  Before version 7 all of it is in `delay`. */
  uint16_t atMinute;        /* `at HH:MM` (minutes after local midnight), CAMP_NO_TIME */
  ProgWindow win;           /* its own `send between`, days 0: its campaign's */
  uint8_t capMode;          /* CapMode */
  uint32_t path;            /* under a branch node (its parent, TRIG_DONE): which path, 0-based (if: 0 then, 1 else);
                               CAMP_NONE otherwise */
  uint32_t share0, nshare;  /* ACT_SPLIT: its paths' shares, p->shares[share0 .. share0+nshare) */
  uint8_t abMetric;         /* AbMetric: a mailing's winner email, which sends the best of its split's other paths' emails */
} ProgActivity;

typedef struct ProgList {
  uint32_t name, title, model;
  uint32_t filter;          /* code block or CAMP_NONE: a manual list */
  uint32_t line;
  uint8_t kind;             /* ListKind */
  uint8_t keep;             /* 1: a member contacted through the list stays one (not for manual lists) */
  uint32_t contact;         /* the model's first email field, else its first phone field (CAMP_NONE before v4) */
  uint32_t where;           /* string index: the filter as `camp fmt` writes it, for deploy and plan to compare;
                               CAMP_NONE without a filter (and before v4) */
} ProgList;

/* A marketing campaign (Oro's): what mailings and campaigns belong to. */
typedef struct ProgInitiative {
  uint32_t name, title, code;             /* string indexes; code: the UTM campaign of its links */
  uint32_t currency, description;         /* string indexes or CAMP_NONE */
  int64_t start, end;                     /* seconds since epoch, 0 = open */
  int64_t budget;                         /* hundredths of the currency, -1 = none */
  uint8_t scale;                          /* ReportScale */
  uint32_t line;
} ProgInitiative;

/* A tracked website (image version 5 on): where `camp serve`'s collector
** takes hits from, and who they belong to. */
typedef struct ProgWebsite {
  uint32_t name, title;     /* string indexes */
  uint32_t siteId;          /* string index: the unique identifier (Matomo's idsite) */
  uint32_t url;             /* string index: the site's http(s) URL */
  uint32_t model;           /* the model visitors are contacts of (tokens, identify), or CAMP_NONE */
  uint32_t initiative;      /* initiative index or CAMP_NONE */
  uint32_t code;            /* string index: the code of hits without a campaign parameter
                               (the initiative's, or the site's own), or CAMP_NONE */
  uint32_t identify;        /* field of model whose value is trusted as a user id, or CAMP_NONE (the default) */
  uint8_t linkToken;        /* 1 (the default): tracked links to this site carry the contact token */
  uint32_t goal0, ngoal;    /* its goals (conversion event names): p->goals[goal0 .. goal0+ngoal) */
  uint32_t line;
} ProgWebsite;

/* A sync (image version 6 on): a list mirrored to an ESP and back
** (docs/SYNC.md).  Its fields are p->sfields[field0 .. field0+nfield). */
typedef struct ProgSync {
  uint32_t name, title;     /* string indexes */
  uint32_t list;            /* list index */
  uint8_t esp;              /* EspKind */
  uint32_t remote;          /* string index: the Mailchimp audience id, or the Dotdigital address book name */
  uint32_t segment;         /* string index: the Mailchimp static segment's name (the list's title when not given);
                               CAMP_NONE for Dotdigital */
  int64_t every;            /* seconds between syncs in service mode (`camp run`), 0 = only by `camp sync` */
  uint32_t field0, nfield;
  uint32_t line;
} ProgSync;

/* One mapped field: a merge field (Mailchimp) or data field (Dotdigital)
** tag, and its value for a record -- a field of the list's model, or a
** template (CODE_TEMPLATE block over that model). */
typedef struct ProgSyncField {
  uint32_t tag;             /* string index: the merge tag / data field name, final (the E_ rule applied) */
  uint32_t field;           /* field index in the list's model, or CAMP_NONE */
  uint32_t value;           /* template code block, or CAMP_NONE (exactly one of field, value is set) */
} ProgSyncField;

/* A `mailing` declaration as written: what the compiler reads from the tree
** and images before version 3 stored; never part of a loaded Program.
** campProgramLowerMailing turns it into the campaign the runtime runs. */
typedef struct ProgMailing {
  uint32_t name, title;
  uint32_t list;            /* list index */
  int64_t at;               /* seconds since epoch, 0 = when started, CAMP_AT_MANUAL */
  uint32_t subject, body, text, from;   /* template code blocks or CAMP_NONE */
  uint32_t line;
  uint32_t initiative;      /* initiative index or CAMP_NONE */
  uint32_t via;             /* sync index or CAMP_NONE */
} ProgMailing;

typedef struct ProgCode {
  uint8_t kind;             /* CodeKind */
  uint32_t model;           /* the record type the block reads */
  uint32_t start, len;      /* bytes in Program.bc */
  uint32_t line;            /* source line of the construct */
  uint32_t file;            /* string index of the source file name */
} ProgCode;

/* pc -> line: entries sorted by pc; an entry holds from its pc onward. */
typedef struct ProgLine { uint32_t pc, line; } ProgLine;

typedef struct Program {
  uint32_t nstr;   const char **str; uint32_t *strLen;  /* NUL-terminated too */
  uint32_t nconst; Value *consts;       /* VAL_TEXT consts point into str */
  uint32_t nmodel; ProgModel *models;
  uint32_t ncamp;  ProgCampaign *camps;
  uint32_t nact;   ProgActivity *acts;
  uint32_t nlist;  ProgList *lists;
  uint32_t ninit;  ProgInitiative *inits;
  uint32_t nsite;  ProgWebsite *sites;
  uint32_t ngoal;  uint32_t *goals;     /* string indexes, the websites' goals in order */
  uint32_t nsync;  ProgSync *syncs;
  uint32_t nsfield; ProgSyncField *sfields;
  uint32_t nshare; uint16_t *shares;    /* split paths' shares in basis points (1/100 %), each split's sum 10000 */
  uint32_t ncode;  ProgCode *code;
  uint32_t nbc;    uint8_t *bc;
  uint32_t nline;  ProgLine *lines;     /* pc -> line for all of bc */
  uint8_t hash[32];                     /* SHA-256 of the serialised body */
  void *mem_;                           /* allocation owned by the loader */
} Program;

/* Serialise p into a malloc'd buffer (*out, *outLen) and fill p->hash.
** Same Program -> same bytes.  Returns 0, or -1 on out of memory. */
int campProgramSave(Program *p, uint8_t **out, size_t *outLen);

/* Parse and validate an image.  On success returns a Program the caller
** frees with campProgramFree; on failure returns NULL and writes one line
** (no newline) saying what is wrong into err[errSize].  Never reads out of
** bounds: a truncated, corrupted or wrong-version image is an error. */
Program *campProgramLoad(const uint8_t *buf, size_t len, char *err, size_t errSize);

/* Read and load an image file; same contract as campProgramLoad. */
Program *campProgramLoadFile(const char *path, char *err, size_t errSize);

void campProgramFree(Program *p);

/* Give mailing m the form the runtime runs: fill *c (to be camps[camp])
** with a campaign of the same name over its list's model, going to the list
** (filtered by its filter; the scheduler finds the members of other kinds), in m's
** initiative with its code, unique on the model's first email field, and *a (to be acts[act])
** with its one email, at TRIG_BEGIN with m's templates.  Reads p's models
** and lists (m->list must be in range).  The compiler calls it for every
** mailing; the loader for the mailings of an image older than version 3. */
void campProgramLowerMailing(const Program *p, const ProgMailing *m, uint32_t camp, uint32_t act,
                             ProgCampaign *c, ProgActivity *a);

/* A model's first email field, else its first phone field: how a list's
** member is contacted; CAMP_NONE when it has neither. */
uint32_t campProgramContactField(const ProgModel *m);

/* Hex form of p->hash (65 bytes with NUL). */
void campProgramHashHex(const Program *p, char out[65]);

/* Lookups by name; CAMP_NONE when absent. */
uint32_t campProgramFindCampaign(const Program *p, const char *name);
uint32_t campProgramFindActivity(const Program *p, uint32_t camp, const char *name);
uint32_t campProgramFindField(const Program *p, uint32_t model, const char *name);

#endif
