/*
** runtime/store_sync_deliver.c -- what the store keeps of a mailing
** delivered through an ESP (`via mailchimp|dotdigital SYNC`): the
** provider's campaign id and the transport on the mailing's camp_campaign
** row, so a delivery killed after the provider created its campaign
** resumes that campaign instead of creating a second one.
**
** Owns: reading and setting camp_campaign.transport / esp_id / last_sync
** for a `via` mailing.  Does not own: when a mailing is due (sched.c,
** cli/send.c), talking to the provider (runtime/sync_deliver.c), the sent
** stamp's meaning (store_mailing.c: last_sync is when it was sent).
*/
#include <stdio.h>
#include <string.h>
#include "runtime/store_engine.h"

int campStoreSyncDeliverGet(Engine *e, int64_t campaign, StoreVia *v, char *err, size_t errSize) {
  memset(v, 0, sizeof *v);
  v->sentAt = INT64_MIN;
  DbStmt *st = campStoreDbStmt(e, "SELECT transport, esp_id, last_sync FROM camp_campaign WHERE id = ?", err, errSize);
  if (!st) return -1;
  campDbBindInt64(st, 1, campaign);
  int rc = campDbStep(st);
  if (rc == DB_ROW) {
    const char *t = campDbColumnText(st, 0), *id = campDbColumnText(st, 1);
    snprintf(v->transport, sizeof v->transport, "%s", t ? t : "");
    snprintf(v->espId, sizeof v->espId, "%s", id ? id : "");
    if (campDbColumnType(st, 2) != DB_NULL) v->sentAt = campDbColumnInt64(st, 2);
  } else if (rc == DB_DONE) snprintf(err, errSize, "no campaign %lld", (long long)campaign);
  else snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbReset(st);
  return rc == DB_ROW ? 0 : -1;
}

int campStoreSyncDeliverSetId(Engine *e, int64_t campaign, const char *transport, const char *espId, char *err, size_t errSize) {
  if (campStoreDbRun(e, "UPDATE camp_campaign SET transport = ?, esp_id = ? WHERE id = ?", "tti", transport, espId, campaign) == 0)
    return 0;
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}

int campStoreSyncDeliverSent(Engine *e, int64_t campaign, int64_t at, char *err, size_t errSize) {
  if (campStoreDbRun(e, "UPDATE camp_campaign SET last_sync = ? WHERE id = ? AND last_sync IS NULL", "ii", at, campaign) == 0)
    return 0;
  snprintf(err, errSize, "database: %s", campDbError(e->conn));
  return -1;
}
