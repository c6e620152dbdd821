/*
** runtime/serve_site.h -- the website side of camp serve (serve_site.c):
** /camp.js, and the contact token a tracked link carries to a website.
*/
#ifndef CAMP_SERVE_SITE_H
#define CAMP_SERVE_SITE_H

#include <stdint.h>
#include <microhttpd.h>
#include "runtime/engine.h"
#include "runtime/track.h"

#ifndef CAMP_CONTACT_TTL
#define CAMP_CONTACT_TTL (30 * 86400)   /* seconds a contact token lives */
#endif

/* Answer GET or HEAD /camp.js (libmicrohttpd leaves the body out of a HEAD): the tracker script, as
** text/javascript, cacheable for a day, with an ETag; 304 when the
** request's If-None-Match names it. */
enum MHD_Result campServeSiteScript(struct MHD_Connection *c);

/* Where a click on trace's link url lands: url with camp_ct=TOKEN added to
** its query (before any #fragment) when campStoreLandingContact says url
** is on a website that takes the token; the token names the trace's
** contact, signed with key, expiring CAMP_CONTACT_TTL seconds from now.
** A malloc'd URL, or NULL: redirect to url untouched (not such a website,
** or an error). */
char *campServeSiteLanding(Engine *e, const char *key, int64_t trace, const char *url);

/* url with PARAM=VALUE added to its query, before any #fragment ('?' or
** '&' as the URL needs); malloc'd, NULL when out of memory.  value must be
** URL-safe (a token is base64url). */
char *campServeSiteAddParam(const char *url, const char *param, const char *value);

/* The tracker script's bytes (generated from runtime/camp.js at build
** time into $(BUILD)/camp_js.c). */
extern const unsigned char campServeSiteJs[];
extern const unsigned long campServeSiteJsSize;

#endif
