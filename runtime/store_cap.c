/*
** runtime/store_cap.c -- the send log frequency caps count
** (docs/RUNTIME.md "Frequency caps").
**
** Owns: camp_send_log, one row per message claimed (but `cap exempt`
** ones and test participants'), keyed by (channel, contact) where the
** contact is the address as camp_suppression keys it (campStoreAddress:
** an email address lower case); counting a contact's sends in a period (all of them, or one
** campaign's), the time the oldest of them leaves it, logging a send.
** Every verb runs inside the caller's transaction: the batch that claims
** the send.  Does not own: what a cap is or what happens over one
** (sched_cap.c), the database's cap settings (camp_meta, store_meta.c).
**
** Rows stay once written, whatever becomes of the send (a permanent
** failure was still an attempt at the contact), and they are never
** pruned: counting uses camp_send_log_contact(channel, contact, at), so
** old rows cost a contact's own index entries, not a scan.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/store_engine.h"

char *campStoreCapContact(int sms, const char *to) { return campStoreAddress(sms, to, strlen(to)); }

/* The cached statement of one of two queries over a contact's sends after
** since -- every campaign's (all) or one campaign's (one: campaign bound to
** ?4) -- with its key bound; NULL on a prepare error. */
static DbStmt *keyed(Engine *e, const char *all, const char *one, int sms, const char *contact, int64_t since,
                           int64_t campaign) {
  char ign[160];
  DbStmt *st = campStoreDbStmt(e, campaign ? one : all, ign, sizeof ign);
  if (!st) return NULL;
  campDbBindInt64(st, 1, sms);
  campDbBindText(st, 2, contact, -1);
  campDbBindInt64(st, 3, since);
  if (campaign) campDbBindInt64(st, 4, campaign);
  return st;
}

#define SENDS "FROM camp_send_log WHERE channel = ?1 AND contact = ?2 AND at > ?3"

long campStoreCapCount(Engine *e, int sms, const char *contact, int64_t campaign, int64_t since) {
  /* PostgreSQL: workers count and log one contact's sends one at a time
  ** (held to the batch's commit); SQLite has one writer already */
  if (campDbKind(e->conn) == DB_POSTGRES &&
      campStoreDbRun(e, "SELECT pg_advisory_xact_lock(" STORE_LOCK_CAP ", hashtext(?))", "t", contact) < 0) return -1;
  DbStmt *st = keyed(e, "SELECT count(*) " SENDS, "SELECT count(*) " SENDS " AND campaign = ?4", sms, contact, since, campaign);
  if (!st) return -1;
  long n = campDbStep(st) == DB_ROW ? (long)campDbColumnInt64(st, 0) : -1;
  campDbReset(st);
  return n;
}

int campStoreCapNth(Engine *e, int sms, const char *contact, int64_t campaign, int64_t since, long k, int64_t *at) {
  DbStmt *st = keyed(e, "SELECT at " SENDS " ORDER BY at LIMIT 1 OFFSET ?4",
                           "SELECT at " SENDS " AND campaign = ?4 ORDER BY at LIMIT 1 OFFSET ?5", sms, contact, since, campaign);
  if (!st) return -1;
  campDbBindInt64(st, campaign ? 5 : 4, (int64_t)k);   /* numbered without a gap: PostgreSQL types every $N */
  int rc = campDbStep(st);
  int found = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
  if (found > 0) *at = campDbColumnInt64(st, 0);
  campDbReset(st);
  return found;
}

int campStoreCapLog(Engine *e, int sms, const char *contact, int64_t campaign, int64_t trace, int64_t at) {
  return campStoreDbRun(e, "INSERT INTO camp_send_log(channel, contact, at, campaign, trace) VALUES(?, ?, ?, ?, ?)", "itiii",
                      (int64_t)sms, contact, at, campaign, trace);
}
