/*
** runtime/track.h -- the keys of tracking tokens and camp's Message-IDs
** (track.c; the token and link functions themselves are declared in
** message.h).
*/
#ifndef CAMP_TRACK_H
#define CAMP_TRACK_H

#include <stddef.h>
#include <stdint.h>

/* Verify a token under each of keys (NULL-terminated, the current key
** first, then those still accepted during a rotation).  The index of the
** key that signed it, or -1 when none did. */
int campTrackVerifyAny(const char *const *keys, char kind, const char *token, int64_t *trace, uint32_t *link);

/* The keys a token may verify under: current, then each item of the
** comma-separated list more (may be NULL; blanks around items and empty or
** repeated items are dropped).  One malloc'd block, NULL-terminated; free
** it with campTrackKeysFree (which wipes the keys).  NULL when out of
** memory. */
char **campTrackKeys(const char *current, const char *more);
void campTrackKeysFree(char **keys);

/* The Message-ID of trace's message: t<trace>.<16 hex digits of
** HMAC-SHA256(secret, "mid:<trace>")>@camp.  Keyed by the database's own
** secret, it differs from one database to another and cannot be guessed
** from the trace id, so a forged bounce or event naming it matches nothing.
** 0, or -1 when OpenSSL failed or size is too small (out is then empty or
** cut, and must not be used). */
int campTrackMessageId(const char *secret, int64_t trace, char *out, size_t size);

/* A contact token (docs/RUNTIME.md, "Websites"): who a visitor is, for the
** collector -- (model, record) until expires (seconds, UTC), signed with
** HMAC-SHA256 under secret (the tracking key): base64url, no padding, at
** most CAMP_CONTACT_TOKEN_SIZE bytes with its NUL.  A tracked link to a
** website appends it as the parameter CAMP_CONTACT_PARAM; camp.js keeps it
** in a first-party cookie and sends it as the user id.  0, or -1 (a model
** name longer than CAMP_CONTACT_MODEL_MAX, or OpenSSL failed: out empty). */
#define CAMP_CONTACT_PARAM "camp_ct"
#define CAMP_CONTACT_MODEL_MAX 63
#define CAMP_CONTACT_TOKEN_SIZE 128
int campTrackContactToken(const char *secret, const char *model, int64_t record, int64_t expires, char out[CAMP_CONTACT_TOKEN_SIZE]);
/* Verify token under each of keys (as campTrackVerifyAny) and decode it:
** the index of the key that signed it, or -1 when none did.  The caller
** checks *expires. */
int campTrackContactVerify(const char *const *keys, const char *token, char model[CAMP_CONTACT_MODEL_MAX + 1], int64_t *record,
                           int64_t *expires);

/* The token_auth of website siteId (Matomo's: what lets a server-side
** tracker set cdt, a hit's time): 32 hex digits of HMAC-SHA256(secret,
** "auth:" siteId).  `camp website auth` prints it, the collector checks it
** (under each serve key).  0, or -1 (out empty). */
int campTrackSiteAuth(const char *secret, const char *siteId, char out[33]);

#endif
