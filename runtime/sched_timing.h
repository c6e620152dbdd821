/*
** runtime/sched_timing.h -- the scheduler's timing rules (issue 14,
** docs/RUNTIME.md "Timing"): when a trace comes due in its recipient's
** zone, whether a message may go out now (send windows, frequency caps),
** and which path a branch node (split, if) takes.
**
** Owns, by file:
**   sched_timing.c  zones (record field -> campaign -> database -> UTC),
**                   calendar delays and `at HH:MM` (campSchedDue), send
**                   windows and the gate before a claim (campSchedGate)
**   sched_cap.c     frequency caps, counted and claimed in the batch
**                   transaction (campSchedCapClaim), priority order
**   sched_branch.c  split and if nodes, A/B winners (campSchedBranch,
**                   campSchedWinner)
** Does not own: SQL (store_*.c), calendar arithmetic itself (clock.c).
*/
#ifndef CAMP_SCHED_TIMING_H
#define CAMP_SCHED_TIMING_H

#include "runtime/sched.h"
#include "runtime/store.h"

/* The time activity act of record's participant comes due, its trigger
** having fired at base (enrolment, the parent's execution, the end of a
** no-event window, an event): its calendar delay (months, then days, in
** the recipient's zone: wall-clock time kept across DST), then its
** minutes and hours, then its `at HH:MM` (docs/RUNTIME.md).  May load
** the record (campStoreLoadRecord) when the campaign reads its zone from
** a field: callers that hold a loaded record call it last. */
int64_t campSchedDue(Engine *e, const Loaded *l, uint32_t act, int64_t base, int64_t record);

/* When a mailing enrols its list: its `at`, or for `at ... local` (a wall
** clock time, sent at in each recipient's zone) 14 hours before, when the
** first zone (UTC+14) reaches it; campSchedDue then gives each recipient's
** email that wall-clock time in their zone (now when it has passed). */
int64_t campSchedMailingStart(const ProgCampaign *c);

/* An SMS's send window when neither it, its campaign nor the database
** sets one: 09:00-20:00 every day (`camp config window.sms off` lifts it). */
#define CAMP_SMS_WINDOW { 9 * 60, 20 * 60, 0x7f }

/* Before a message (trace w, to address `to`, the record loaded) is
** claimed, inside the batch transaction: outside its send window it is
** held until the next opening; over a frequency cap it is held until the
** cap allows, or canceled (`cap skip`); else its send is logged against
** the caps.  1 the trace was held or finished (counted in rs), 0 go on and
** claim it, -1 database error. */
int campSchedGate(Engine *e, DueTrace *w, const Loaded *l, const char *to, int64_t now, RunStats *rs);

/* sched_cap.c: the cap part of campSchedGate (same contract). */
int campSchedCapClaim(Engine *e, DueTrace *w, const Loaded *l, const char *to, int64_t now, RunStats *rs);

/* sched_cap.c: a batch's due traces in the order they are decided: as
** taken (interrupted sends first, then by due time), except that among
** the scheduled messages higher campaign priority goes first. */
void campSchedOrder(Engine *e, DueTrace *work, int n);

/* sched_cap.c: a cap's text, as `camp config cap.email` takes and shows
** it: "3 per 7 days", "1 per 1 day", "2 per 12 hours", "1 per week", or
** "off" (n 0).  campCapParse: 0 and *out, or -1 with a one-line message in
** err (n >= 1, a whole number of hours, days or weeks, at least 1 hour).
** campCapFormat: in days when whole, else hours; "off" when n is 0. */
int campCapParse(const char *s, ProgCap *out, char *err, size_t errSize);
void campCapFormat(const ProgCap *c, char *out, size_t n);

/* sched_branch.c: a split or if node's trace w (the record loaded):
** its path chosen, recorded (campStoreSetPath) and noted, the trace
** processed and that path's children spawned.  0, or -1 database error. */
int campSchedBranch(Engine *e, DueTrace *w, const Loaded *l, int64_t now, RunStats *rs);

/* sched_branch.c: a split's bucket of record, 0-9999: the first 8 bytes
** of SHA-256("camp-split\0" campaign "\0" node "\0" record-in-decimal),
** big-endian, mod 10000 -- the same wherever and whenever it is computed. */
uint32_t campSchedSplitBucket(const char *campaign, const char *node, int64_t record);
/* The path (0-based) whose cumulative range of shares (n of them, in
** basis points summing to 10000) holds bucket. */
uint32_t campSchedSplitPath(const uint16_t *shares, uint32_t n, uint32_t bucket);
/* A share in basis points as a percent: "50%", "12.5%", "6.67%". */
void campSchedShareText(uint16_t bp, char *out, size_t n);

/* sched_branch.c: the activity whose templates an email sends: act
** itself, or for an A/B test's winner (abMetric) the variant with the
** best rate now (its index in l->p->acts), recorded on the winner's trace
** (its path: the variant's, its message: note, which the caller keeps as
** the sent trace's message; "" when act is no winner); a send taken up
** again sends the variant it chose.  -1 database error. */
int campSchedWinner(Engine *e, const Loaded *l, uint32_t act, int64_t trace, char *note, size_t noteSize);

#endif
