/*
** runtime/serve_site.c -- the website side of camp serve.
**
** Owns: serving camp's tracker script (GET /camp.js: the bytes of
** runtime/camp.js, embedded at build time; cacheable for a day, with an
** ETag that changes with the script, and 304 on a matching If-None-Match),
** and the landing URL of a tracked link to a website that takes the
** contact token (url + camp_ct=TOKEN).  Does not own: the routes themselves
** (serve.c), which website and whose trace (store_landing.c), or the token
** (track.c).
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "runtime/buf.h"
#include "runtime/clock.h"
#include "runtime/serve_site.h"
#include "runtime/store.h"

static char etag[24];                  /* "\"" + 16 hex digits of the script's SHA-256 + "\"" */
static pthread_once_t etagOnce = PTHREAD_ONCE_INIT;

static void makeEtag(void) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!EVP_Digest(campServeSiteJs, campServeSiteJsSize, md, &len, EVP_sha256(), NULL) || len < 8) len = 0;
  char *p = etag;
  *p++ = '"';
  for (unsigned i = 0; i < 8; i++) p += sprintf(p, "%02x", len ? md[i] : 0);
  *p++ = '"';
  *p = 0;
}

/* Does If-None-Match (a list of entity tags, or *) name ours? */
static int matches(const char *inm) {
  if (!inm) return 0;
  if (!strcmp(inm, "*")) return 1;
  for (const char *p = inm; (p = strstr(p, etag + 1)); p++)          /* W/"x" or "x": the hex and its quote */
    if (p > inm && p[-1] == '"') return 1;
  return 0;
}

enum MHD_Result campServeSiteScript(struct MHD_Connection *c) {
  pthread_once(&etagOnce, makeEtag);
  int same = matches(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH));
  struct MHD_Response *r = MHD_create_response_from_buffer(same ? 0 : campServeSiteJsSize, (void *)campServeSiteJs, MHD_RESPMEM_PERSISTENT);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "text/javascript; charset=utf-8");
  MHD_add_response_header(r, "Cache-Control", "public, max-age=86400");
  MHD_add_response_header(r, "ETag", etag);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
  enum MHD_Result rc = MHD_queue_response(c, same ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return rc;
}

char *campServeSiteAddParam(const char *url, const char *param, const char *value) {
  size_t frag = strcspn(url, "#");
  const char *q = memchr(url, '?', frag);
  char sep = !q ? '?' : q + 1 == url + frag || url[frag - 1] == '&' ? 0 : '&';
  Buf b = { 0 };
  campBufPut(&b, url, frag);
  if (sep) campBufPut(&b, &sep, 1);
  campBufPrintf(&b, "%s=%s%s", param, value, url + frag);
  if (b.oom) { campBufFree(&b); return NULL; }
  return b.p;
}

char *campServeSiteLanding(Engine *e, const char *key, int64_t trace, const char *url) {
  char model[CAMP_CONTACT_MODEL_MAX + 1], token[CAMP_CONTACT_TOKEN_SIZE];
  int64_t record = 0;
  if (campStoreLandingContact(e, trace, url, model, sizeof model, &record) != 1) return NULL;
  if (campTrackContactToken(key, model, record, campClockWall() + CAMP_CONTACT_TTL, token) < 0) return NULL;
  return campServeSiteAddParam(url, CAMP_CONTACT_PARAM, token);
}
