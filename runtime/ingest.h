/*
** runtime/ingest.h -- bounces and replies from received mail (ingest.c).
*/
#ifndef CAMP_INGEST_H
#define CAMP_INGEST_H

#include <stdio.h>
#include "runtime/engine.h"

typedef struct IngestStats {
  long read;            /* messages looked at */
  long hard, soft;      /* delivery status notifications: 5.x.x recorded as bounces; 4.x.x counted only */
  long replies;         /* replies recorded */
  long abuse;           /* abuse reports (ARF complaints) recorded */
  long autoReplies;     /* Auto-Submitted answers (out of office…): not replies */
  long unmatched;       /* nothing camp sent could be found: reported, never guessed */
} IngestStats;

/* Read one RFC 5322 message: a delivery status notification (RFC 3464
** multipart/report) records a bounce on the message camp sent when a
** recipient's Status is 5.x.x; an abuse report (RFC 5965 ARF) records
** an "abuse" event (a complaint); anything else whose In-Reply-To or
** References names a message camp sent records a reply.  What cannot be
** matched is counted and, with its reason, written to report as
** "NAME: unmatched: …".  Returns 0, or -1 on a database error (err). */
int campIngestMessage(Engine *e, const char *raw, size_t len, const char *name, FILE *report, IngestStats *st,
                      char *err, size_t errSize);

/* The same for every unread message of an IMAP mailbox
** (imap[s]://host[:port]/MAILBOX, credentials from CAMP_IMAP_USER and
** CAMP_IMAP_PASSWORD): each is fetched, ingested and marked \Seen.
** Returns 0, or -1 with a message in err. */
int campIngestImap(Engine *e, const char *url, FILE *report, IngestStats *st, char *err, size_t errSize);

#endif
