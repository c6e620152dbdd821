/*
** runtime/engine.h -- the runtime's front door: a campaign database.
**
** Owns: the operations the commands perform on a database: open/init with
** an optional simulated clock, deploy (and plan) images, start/stop, run
** due work up to a time, record events, report.  The SQL lives in
** runtime/store_*.c (the only files that include sqlite3.h); the VM runs
** filters, templates and actions; channels carry messages.
*/
#ifndef CAMP_ENGINE_H
#define CAMP_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "runtime/message.h"

typedef struct Engine Engine;

/* Trace states as stored. */
enum {
  TRACE_SCHEDULED = 0,  /* has a due time */
  TRACE_WAITING,        /* armed: waits for an event on its parent (no due time) */
  TRACE_PROCESSED,
  TRACE_REJECTED,
  TRACE_CANCELED,
  TRACE_ERROR,
  TRACE_SENDING         /* claimed with its Message-ID; being sent */
};

/* Event bits on a trace (a parent's engagement). */
enum { EV_OPEN = 1, EV_CLICK = 2, EV_REPLY = 4, EV_BOUNCE = 8 };

/* Open (create == 0) or create (create == 1) a database.  clock: simulated
** start time for a new database, or INT64_MIN for the real clock.  NULL
** with a message in err. */
Engine *campEngineOpen(const char *path, int create, int64_t clock, char *err, size_t errSize);
void campEngineClose(Engine *e);

/* The database's own secret: 64 hex digits from OpenSSL's RAND_bytes, made
** by camp init (or on the first open of an older database) and kept in the
** database.  It keys the Message-IDs, and the tracking tokens unless
** $CAMP_SECRET overrides it.  Owned by e. */
const char *campEngineSecret(Engine *e);

/* The database's previous secrets, comma-separated (*out malloc'd; "" when
** none): tokens they signed still verify.  -1 with a message in err. */
int campEngineSecretsPrevious(Engine *e, char **out, char *err, size_t errSize);

/* Rotate: a new random secret replaces the database's, which joins the
** previous ones (retire == 0); or forget the previous ones (retire == 1).
** A running camp serve keeps the keys it started with. */
int campEngineSecretRotate(Engine *e, int retire, char *err, size_t errSize);

/* The database's clock: simulated when it has one, else the wall clock. */
int64_t campEngineNow(Engine *e);
int campEngineIsSimulated(Engine *e);

/* Deploy an image: create or extend model tables, store a new version of
** each campaign it holds, apply the sync rules to participants in flight.
** With dryRun, print the plan to out and change nothing (returns 1 when the
** plan has changes, 0 when none).  start: set the campaigns running.
** Returns -1 on error with a message in err. */
int campEngineDeploy(Engine *e, const uint8_t *img, size_t len, int start, int dryRun, FILE *out,
                     char *err, size_t errSize);

/* state: "running" or "stopped". */
int campEngineSetState(Engine *e, const char *campaign, const char *state, char *err, size_t errSize);

/* A provider webhook's event id (namespaced by the caller), recorded once:
** 0 the first time, 1 when it was seen before (a replay: do nothing), -1
** on a database error.  Call inside the transaction that records the
** events, so the id and its events are kept together or not at all. */
int campEngineHookSeen(Engine *e, const char *id, int64_t at, char *err, size_t errSize);

/* An SMS reply from phone: when text is STOP (or UNSUBSCRIBE, ARRET, …:
** the whole reply, any case), suppress that phone on the 'sms' channel and
** return 1; 0 when it is not a stop word (nothing changes); -1 on error. */
int campEngineStopReply(Engine *e, const char *phone, const char *text, int64_t at, char *err, size_t errSize);

/* Group many events in one transaction (campSchedEvent joins an open
** one instead of committing each event by itself). */
int campEngineBegin(Engine *e, char *err, size_t errSize);
int campEngineCommit(Engine *e, char *err, size_t errSize);

/* Look up the message of a tracking token's trace and link. */
int campEngineTraceMessage(Engine *e, int64_t trace, char *messageId, size_t idSize);
int campEngineLinkUrl(Engine *e, int64_t trace, uint32_t link, char *url, size_t urlSize);

/* A warning line on out for each running campaign an older camp compiled
** (image version 1: values unescaped); how many, or -1 (store_report.c). */
int campEngineWarnOldImages(Engine *e, FILE *out, char *err, size_t errSize);
/* How many deployed campaigns (mailings included) are in each state:
** draft, running, stopped (store_report.c). */
int campEngineCampaignStates(Engine *e, long *draft, long *running, long *stopped, char *err, size_t errSize);

typedef enum { REPORT_TABLE, REPORT_JSON, REPORT_CSV } ReportFormat;
int campEngineReport(Engine *e, const char *campaign, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* Suppression lists (store_suppress.c).  channel: "email", "sms", or NULL
** to take it from the address (an '@' makes it email); channelOut gets
** the one used, *addressOut (when not NULL; the caller frees it) the
** address as stored.  Add (remove == 0, reason NULL: "manual"; an address that
** is not one is an error) or remove one address: 1 when that changed
** something, 0 when there was nothing to do, -1 on error. */
int campEngineSuppress(Engine *e, const char *channel, const char *address, const char *reason, int remove,
                       char channelOut[8], char **addressOut, char *err, size_t errSize);
/* Every suppressed address (of channel, or all when NULL): channel,
** address, time, reason. */
int campEngineSuppressionList(Engine *e, const char *channel, ReportFormat fmt, FILE *out, char *err, size_t errSize);

/* Every trace, participant by participant, in a stable order (scenarios
** and support). */
int campEngineTimeline(Engine *e, const char *campaign, FILE *out, char *err, size_t errSize);

/* Import the CSV file path into a model table (runtime/store_import.c):
** a header row naming fields of the model, then one record per row, fields
** separated by delimiter (0: ','); with key, a record whose key field
** matches an existing row updates it.  All or nothing: each bad value is
** printed to errs as PATH:LINE: error: column 'NAME': ..., and then -1
** with the count in err and nothing written. */
int campEngineImport(Engine *e, const char *model, const char *key, const char *path, int delimiter, FILE *errs,
                     long *added, long *updated, char *err, size_t errSize);

#endif
