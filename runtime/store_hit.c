/*
** runtime/store_hit.c -- website hits as the collector records them.
**
** Owns: appending a hit to camp_hit (campStoreHitAdd).  Does not own:
** parsing the tracker's request (collect.c), grouping hits into visits
** (store_visit.c) or what a contact's hit does to a workflow (sched_visit.c).
*/
#include <stdio.h>
#include "runtime/store_engine.h"

int campStoreHitAdd(Engine *e, const WebHit *h) {
  DbStmt *st = campStoreDbStmt(e, "INSERT INTO camp_hit(site, at, visitor, model, record_id, url, title, referrer, name, "
                                      "category, action, value, code, source, medium, keyword, ip, ua, ua_class) "
                                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                                   NULL, 0);
  if (!st) return -1;
  const char *text[] = { h->site, NULL, h->visitor, h->model, NULL, h->url, h->title, h->referrer, h->name, h->category,
                         h->action, NULL, h->code, h->source, h->medium, h->keyword, h->ip, h->ua, h->uaClass };
  for (int i = 0; i < (int)(sizeof text / sizeof text[0]); i++)
    if (text[i]) campDbBindText(st, i + 1, text[i], -1);
  campDbBindInt64(st, 2, h->at);
  if (h->model && h->record) campDbBindInt64(st, 5, h->record);
  campDbBindDouble(st, 12, h->value);
  int rc = campDbStep(st);
  campDbReset(st);
  return rc == DB_DONE ? 0 : -1;
}
