/*
** runtime/store_landing.c -- what the website side of a tracked link and of
** `camp website` asks of the store.
**
** Owns: the landing lookup of a click (does a link's URL land on a deployed
** website with link_token on, for the campaign's model, and whose is the
** trace: campStoreLandingContact), listing deployed websites
** (campStoreLandingWebsites) and naming a record for a contact token
** (campStoreLandingRecord).  Does not own: the token itself (track.c),
** appending it to the URL (serve_site.c), deploying websites
** (store_website.c) or hits (store_hit.c).
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/store_engine.h"

/* The origin of an http(s) URL: scheme, host (lower case, userinfo
** dropped) and port (the scheme's default when none).  0, or -1 when url
** is not http(s)://HOST... */
typedef struct Origin { int https; char host[256]; long port; } Origin;

static int originOf(const char *url, Origin *o) {
  memset(o, 0, sizeof *o);
  if (!strncasecmp(url, "https://", 8)) { o->https = 1; url += 8; }
  else if (!strncasecmp(url, "http://", 7)) url += 7;
  else return -1;
  size_t n = strcspn(url, "/?#\\");
  const char *at = memchr(url, '@', n);
  while (at) {                                   /* userinfo: up to the last '@' */
    n -= (size_t)(at + 1 - url);
    url = at + 1;
    at = memchr(url, '@', n);
  }
  size_t hostLen = n;
  const char *colon = NULL;
  if (url[0] == '[') {
    const char *close = memchr(url, ']', n);
    if (!close) return -1;
    hostLen = (size_t)(close + 1 - url);
    if (hostLen < n && url[hostLen] == ':') colon = url + hostLen;
    else if (hostLen != n) return -1;
  } else if ((colon = memchr(url, ':', n))) hostLen = (size_t)(colon - url);
  if (!hostLen || hostLen >= sizeof o->host) return -1;
  for (size_t i = 0; i < hostLen; i++) o->host[i] = (char)tolower((unsigned char)url[i]);
  if (hostLen && o->host[hostLen - 1] == '.') o->host[hostLen - 1] = 0;     /* "example.com." */
  o->port = o->https ? 443 : 80;
  if (colon && colon + 1 < url + n) {
    long port = 0;
    for (const char *p = colon + 1; p < url + n; p++) {
      if (!isdigit((unsigned char)*p) || port > 65535) return -1;
      port = port * 10 + (*p - '0');
    }
    o->port = port;
  }
  return 0;
}

static int sameOrigin(const Origin *a, const Origin *b) {
  return a->https == b->https && a->port == b->port && !strcmp(a->host, b->host);
}

/* The campaign model and record of trace's participant: 1, 0 (no such
** trace), -1. */
static int traceContact(Engine *e, int64_t trace, char *model, size_t modelSize, int64_t *record) {
  DbStmt *st = campStoreDbStmt(e, "SELECT c.model, p.record_id FROM camp_trace t JOIN camp_participant p ON p.id = t.participant "
                                      "JOIN camp_campaign c ON c.id = p.campaign WHERE t.id = ?", NULL, 0);
  if (!st) return -1;
  campDbBindInt64(st, 1, trace);
  int rc = campDbStep(st), found = rc == DB_ROW;
  if (found) {
    snprintf(model, modelSize, "%s", campDbColumnText(st, 0));
    *record = campDbColumnInt64(st, 1);
  }
  campDbReset(st);
  return found ? 1 : rc == DB_DONE ? 0 : -1;
}

int campStoreLandingContact(Engine *e, int64_t trace, const char *url, char *model, size_t modelSize, int64_t *record) {
  Origin link, site;
  if (originOf(url, &link) < 0) return 0;
  int rc = traceContact(e, trace, model, modelSize, record);
  if (rc <= 0) return rc;
  DbStmt *st = campStoreDbStmt(e, "SELECT url FROM camp_website WHERE link_token = 1 AND (model IS NULL OR model = ?)", NULL, 0);
  if (!st) return -1;
  campDbBindText(st, 1, model, -1);
  int found = 0;
  while (!found && (rc = campDbStep(st)) == DB_ROW)
    found = originOf(campDbColumnText(st, 0), &site) == 0 && sameOrigin(&link, &site);
  if (!found && rc != DB_DONE) found = -1;
  campDbReset(st);
  return found;
}

int campStoreLandingWebsites(Engine *e, const char *name, WebsiteRowFn fn, void *ctx, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT name, title, site_id, url, model, code, initiative, link_token, goals, identify "
                                         "FROM camp_website WHERE CAST(?1 AS TEXT) IS NULL OR name = ?1 ORDER BY name", err, errSize);
  if (!st) return -1;
  if (name) campDbBindText(st, 1, name, -1);
  int rc, n = 0;
  while ((rc = campDbStep(st)) == DB_ROW) {
    const char *t[10];
    for (int i = 0; i < 10; i++) t[i] = campStoreDbTextOrNull(st, i);
    WebsiteRow w = { t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[8], t[9], (int)campDbColumnInt64(st, 7) };
    n++;
    if (fn && fn(ctx, &w) < 0) { rc = DB_DONE; n = -1; snprintf(err, errSize, "cannot write the list"); break; }
  }
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); n = -1; }
  campDbFinalize(st);
  return n;
}

/* The deployed models, ", "-joined, into b; how many, or -1. */
static int modelNames(Engine *e, Buf *b, char *err, size_t errSize) {
  DbStmt *st = campDbPrepare(e->conn, "SELECT DISTINCT model FROM camp_model ORDER BY model", err, errSize);
  if (!st) return -1;
  int n = 0, rc;
  while ((rc = campDbStep(st)) == DB_ROW) {
    if (n++) campBufPuts(b, ", ");
    campBufPuts(b, campDbColumnText(st, 0));
  }
  campBufPut(b, "", 1);
  if (rc != DB_DONE) { snprintf(err, errSize, "database: %s", campDbError(e->conn)); n = -1; }
  campDbFinalize(st);
  return b->oom ? -1 : n;
}

int campStoreLandingRecord(Engine *e, const char *model, int64_t id, char *modelOut, size_t modelSize, char *err, size_t errSize) {
  Buf names = { 0 }, sql = { 0 };
  int n = modelNames(e, &names, err, errSize), rc = n < 0 ? -1 : 0;
  if (rc == 0 && !n) { snprintf(err, errSize, "no model is deployed: deploy the models first"); rc = -1; }
  else if (rc == 0 && !model && n > 1) { snprintf(err, errSize, "the database has several models (%s): give --model", names.p); rc = -1; }
  else if (rc == 0 && !model) model = names.p;
  if (rc == 0) {
    /* a model given: one of the deployed ones (the name is not trusted as SQL) */
    DbStmt *st = campDbPrepare(e->conn, "SELECT 1 FROM camp_model WHERE model = ?", err, errSize);
    if (!st) rc = -1;
    else {
      campDbBindText(st, 1, model, -1);
      if (campDbStep(st) != DB_ROW) { snprintf(err, errSize, "no model '%s' (deployed: %s)", model, names.p); rc = -1; }
      campDbFinalize(st);
    }
  }
  if (rc == 0) {
    campBufPuts(&sql, "SELECT 1 FROM ");
    campStoreIdentPut(&sql, model);
    campBufPuts(&sql, " WHERE id = ?");
    DbStmt *st = sql.oom ? NULL : campDbPrepare(e->conn, sql.p, err, errSize);
    if (!st) rc = -1;
    else {
      campDbBindInt64(st, 1, id);
      int step = campDbStep(st);
      if (step == DB_DONE) snprintf(err, errSize, "no record %lld in model %s", (long long)id, model);
      else if (step != DB_ROW) snprintf(err, errSize, "database: %s", campDbError(e->conn));
      rc = step == DB_ROW ? 1 : step == DB_DONE ? 0 : -1;
      campDbFinalize(st);
    }
  }
  if (rc == 1) snprintf(modelOut, modelSize, "%s", model);
  campBufFree(&names);
  campBufFree(&sql);
  return rc;
}
