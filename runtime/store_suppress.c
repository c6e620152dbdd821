/*
** runtime/store_suppress.c -- the addresses camp must never write to again.
**
** Owns: camp_suppression, keyed by (channel, address) where channel is
** 'email' or 'sms': the one normalisation of an address (every write and
** every check goes through it), adding a suppression (a bounce or an
** unsubscribe on a message, the opt_out() action, `camp suppress add`),
** removing one, the check before a send, and the listing.  Does not own:
** when an event suppresses (store_event.c), what the action suppresses
** (store_engine.c) or what a send does when it is suppressed (sched.c).
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/store_engine.h"

const char *campStoreChannelName(int sms) { return sms ? "sms" : "email"; }

/* An address as camp_suppression keys it, in a malloc'd string (NULL when
** out of memory).  Both kinds lose surrounding blanks.  An email address is
** compared without case (what mail systems do in practice).  A phone number
** keeps a leading '+' and its digits and loses the separators people write
** ("+33 6 00-00.00 01" is "+33600000001"); anything else in it stays, so
** two different texts never become the same number by accident. */
char *campStoreAddress(int sms, const char *s, size_t len) {
  while (len && isspace((unsigned char)*s)) { s++; len--; }
  while (len && isspace((unsigned char)s[len - 1])) len--;
  char *out = malloc(len + 1), *o = out;
  if (!out) return NULL;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!sms) *o++ = (char)tolower(c);
    else if (!strchr(" \t-.()/", c)) *o++ = (char)c;
  }
  *o = 0;
  return out;
}

/* Add (channel, address) with a reason at time at.  Returns 1 when added,
** 0 when it was already suppressed (the first reason stays), -1 on error
** with the message in err. */
int campStoreSuppress(Engine *e, int sms, const char *addr, size_t len, const char *reason, int64_t at,
                      char *err, size_t errSize) {
  char *a = campStoreAddress(sms, addr, len);
  if (!a) { snprintf(err, errSize, "out of memory"); return -1; }
  int rc = -1;
  DbStmt *s = campStoreDbStmt(e, "INSERT INTO camp_suppression(channel, address, reason, at) VALUES(?, ?, ?, ?) "
                                  "ON CONFLICT(channel, address) DO NOTHING",
                                  err, errSize);
  if (s && *a) {
    campDbBindText(s, 1, campStoreChannelName(sms), -1);
    campDbBindText(s, 2, a, -1);
    campDbBindText(s, 3, reason, -1);
    campDbBindInt64(s, 4, at);
    rc = campDbStep(s) == DB_DONE ? campDbChanges(e->conn) > 0 : -1;
    if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
    campDbReset(s);
  } else if (s) {
    rc = 0;                                   /* nothing to suppress */
  }
  free(a);
  return rc;
}

/* Is (channel, address) suppressed?  1 yes, 0 no, -1 on a database error
** (with the message in err). */
int campStoreSuppressed(Engine *e, int sms, const char *addr, size_t len, char *err, size_t errSize) {
  char *a = campStoreAddress(sms, addr, len);
  if (!a) { snprintf(err, errSize, "out of memory"); return -1; }
  int r = -1;
  DbStmt *s = campStoreDbStmt(e, "SELECT 1 FROM camp_suppression WHERE channel = ? AND address = ?", err, errSize);
  if (s) {
    campDbBindText(s, 1, campStoreChannelName(sms), -1);
    campDbBindText(s, 2, a, -1);
    int rc = campDbStep(s);
    r = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
    if (r < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
    campDbReset(s);
  }
  free(a);
  return r;
}

static int channelOf(const char *channel, const char *address) {
  if (channel) return !strcmp(channel, "sms");
  return strchr(address, '@') == NULL;        /* no channel given: an '@' makes it an email address */
}

/* Can a normalised address be written to on its channel?  An email
** address: one '@' with text on both sides, no blank or control
** character; a phone number: an optional '+' then 3 to 20 digits. */
static int plausible(int sms, const char *a) {
  if (sms) {
    size_t digits = strspn(a + (*a == '+'), "0123456789");
    return digits >= 3 && digits <= 20 && a[(*a == '+') + digits] == 0;
  }
  const char *at = strchr(a, '@');
  if (!at || at == a || !at[1] || strchr(at + 1, '@')) return 0;
  for (const unsigned char *p = (const unsigned char *)a; *p; p++) if (*p <= ' ' || *p == 0x7f) return 0;
  return 1;
}

int campStoreSuppressEdit(Engine *e, const char *channel, const char *address, const char *reason, int remove,
                       char channelOut[8], char **addressOut, char *err, size_t errSize) {
  if (channel && strcmp(channel, "email") && strcmp(channel, "sms")) {
    snprintf(err, errSize, "unknown channel '%s' (email or sms)", channel);
    return -1;
  }
  int sms = channelOf(channel, address);
  snprintf(channelOut, 8, "%s", campStoreChannelName(sms));
  char *a = campStoreAddress(sms, address, strlen(address));
  if (!a) { snprintf(err, errSize, "out of memory"); return -1; }
  int rc = -1;
  if (!remove && !plausible(sms, a)) {
    snprintf(err, errSize, "'%.200s' is not %s", address, sms ? "a phone number" : "an email address");
  } else if (!remove) {
    rc = campStoreSuppress(e, sms, a, strlen(a), reason ? reason : "manual", campEngineNow(e), err, errSize);
  } else {
    DbStmt *s = campStoreDbStmt(e, "DELETE FROM camp_suppression WHERE channel = ? AND address = ?", err, errSize);
    if (s) {
      campDbBindText(s, 1, campStoreChannelName(sms), -1);
      campDbBindText(s, 2, a, -1);
      rc = campDbStep(s) == DB_DONE ? campDbChanges(e->conn) > 0 : -1;
      if (rc < 0) snprintf(err, errSize, "database: %s", campDbError(e->conn));
      campDbReset(s);
    }
  }
  if (addressOut && rc >= 0) *addressOut = a; else free(a);
  return rc;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csvField(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) { fputs(s, out); return; }
  fputc('"', out);
  for (; *s; s++) { if (*s == '"') fputc('"', out); fputc(*s, out); }
  fputc('"', out);
}

/* A JSON string (control characters escaped). */
static void jsonString(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
    else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
    else fputc(*p, out);
  }
  fputc('"', out);
}

int campStoreSuppressionList(Engine *e, const char *channel, ReportFormat fmt, FILE *out, char *err, size_t errSize) {
  DbStmt *s = campDbPrepare(e->conn, "SELECT channel, address, at, reason FROM camp_suppression "
                                        "WHERE CAST(?1 AS TEXT) IS NULL OR channel = ?1 ORDER BY channel, address", err, errSize);
  if (!s) return -1;
  if (channel) campDbBindText(s, 1, channel, -1);
  if (fmt == REPORT_TABLE) fprintf(out, "%-7s %-32s %-20s %s\n", "channel", "address", "at", "reason");
  else if (fmt == REPORT_CSV) fputs("channel,address,at,reason\n", out);
  else fputc('[', out);
  int rc, n = 0;
  while ((rc = campDbStep(s)) == DB_ROW) {
    const char *ch = campDbColumnText(s, 0), *addr = campDbColumnText(s, 1);
    const char *why = campDbColumnText(s, 3);
    time_t t = (time_t)campDbColumnInt64(s, 2);
    struct tm tm;
    char at[32];
    gmtime_r(&t, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (fmt == REPORT_TABLE) fprintf(out, "%-7s %-32s %-20s %s\n", ch, addr, at, why);
    else if (fmt == REPORT_CSV) {
      csvField(out, ch); fputc(',', out); csvField(out, addr); fprintf(out, ",%s,", at); csvField(out, why); fputc('\n', out);
    } else {
      fputs(n ? ",\n  {\"channel\": " : "\n  {\"channel\": ", out);
      jsonString(out, ch); fputs(", \"address\": ", out); jsonString(out, addr);
      fprintf(out, ", \"at\": \"%s\", \"reason\": ", at); jsonString(out, why); fputc('}', out);
    }
    n++;
  }
  if (fmt == REPORT_JSON) fputs(n ? "\n]\n" : "]\n", out);
  if (rc != DB_DONE) snprintf(err, errSize, "database: %s", campDbError(e->conn));
  campDbFinalize(s);
  return rc == DB_DONE ? 0 : -1;
}
