/*
** cli/website.c -- `camp website snippet|token|auth|list` and `camp websites`.
**
** Owns: the command lines of the tracked websites' side: the HTML snippet to
** paste into a site (camp's tracker, /camp.js, with the site's id), a signed
** contact token for a site's setUserId, a site's token_auth, and the list
** of deployed websites.  Tokens are signed with $CAMP_SECRET, else the
** database's own secret: the key camp serve verifies under.  Does not own:
** the script (runtime/camp.js), the collector (runtime/serve.c) or the
** tokens themselves (runtime/track.c).  Exit 0; 1 when the database fails
** or names no such website or record; 2 on usage.
*/
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/buf.h"
#include "runtime/clock.h"
#include "runtime/serve_site.h"
#include "runtime/store.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"   /* as a run's --base-url (cli/db.c) */
#define DAYS_MAX 3650

static const char *const formats[] = { "table", "json", NULL };

static Engine *openDb(const CliArgs *a) {
  char err[512];
  Engine *e = campEngineOpen(campCliDbPath(a->opt[O_DB]), 0, INT64_MIN, err, sizeof err);
  if (!e) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  return e;
}

static int failed(const CliArgs *a, Engine *e, const char *err) {
  fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  campEngineClose(e);
  return 1;
}

/* -- one website ------------------------------------------------------------------ */

typedef struct Found { char *siteId; } Found;

static int keepSite(void *ctx, const WebsiteRow *w) {
  Found *f = ctx;
  f->siteId = strdup(w->siteId);
  return f->siteId ? 0 : -1;
}

/* The site_id of deployed website name (malloc'd), or NULL after a message. */
static char *siteIdOf(const CliArgs *a, Engine *e, const char *name) {
  char err[512];
  Found f = { NULL };
  int n = campStoreLandingWebsites(e, name, keepSite, &f, err, sizeof err);
  if (n < 0) fprintf(stderr, "camp %s: %s\n", a->cmd, err);
  else if (!n) fprintf(stderr, "camp %s: no deployed website '%s' (camp websites lists them)\n", a->cmd, name);
  return f.siteId;
}

/* s as the inside of a JavaScript string literal that sits in an HTML
** <script> element: quotes, backslashes, <, >, & and controls escaped,
** so it ends neither the string nor the element. */
static void jsPut(Buf *b, const char *s) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch < 0x20 || ch == 0x7f || strchr("\"'\\<>&", ch)) campBufPrintf(b, "\\x%02x", ch);
    else campBufPut(b, s, 1);
  }
}

/* --server: http(s)://HOST[...] of printable ASCII, no trailing '/'.  A
** malloc'd copy, or NULL after a usage message. */
static char *serverUrl(const CliArgs *a) {
  const char *s = a->opt[O_SERVER] ? a->opt[O_SERVER] : DEFAULT_SERVER;
  size_t n = strlen(s);
  int ok = (!strncmp(s, "http://", 7) && n > 7) || (!strncmp(s, "https://", 8) && n > 8);
  for (size_t i = 0; ok && i < n; i++) ok = (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f;
  if (!ok) { campCliUsage(a->cmd, "--server '%s': give the public http(s):// address of camp serve", s); return NULL; }
  while (n > 8 && s[n - 1] == '/') n--;
  char *u = strndup(s, n);
  if (!u) campCliUsage(a->cmd, "out of memory");
  return u;
}

static int snippet(const CliArgs *a, const char *name) {
  char *server = serverUrl(a);
  if (!server) return 2;
  Engine *e = openDb(a);
  char *site = e ? siteIdOf(a, e, name) : NULL;
  campEngineClose(e);
  if (!site) { free(server); return 1; }
  Buf b = { 0 };
  campBufPuts(&b, "<!-- camp: website tracking -->\n<script>\n  var _paq = window._paq = window._paq || [];\n  _paq.push([\"trackPageView\"]);\n"
                  "  (function () {\n    var u = \"");
  jsPut(&b, server);
  campBufPuts(&b, "/\";\n    _paq.push([\"setTrackerUrl\", u + \"matomo.php\"]);\n    _paq.push([\"setSiteId\", \"");
  jsPut(&b, site);
  campBufPuts(&b, "\"]);\n    var d = document, g = d.createElement(\"script\"), s = d.getElementsByTagName(\"script\")[0];\n"
                  "    g.async = true; g.src = u + \"camp.js\"; s.parentNode.insertBefore(g, s);\n  })();\n</script>\n"
                  "<!-- end camp -->\n");
  int rc = b.oom ? campCliUsage(a->cmd, "out of memory") : 0;
  if (!rc) fputs(b.p, stdout);
  campBufFree(&b);
  free(site);
  free(server);
  return rc;
}

static int auth(const CliArgs *a, const char *name) {
  Engine *e = openDb(a);
  char *site = e ? siteIdOf(a, e, name) : NULL;
  char out[33];
  int rc = !site ? 1 : campTrackSiteAuth(campCliSecret(e), site, out) < 0 ? 1 : 0;
  if (site && rc) fprintf(stderr, "camp %s: cannot compute the token (OpenSSL failed)\n", a->cmd);
  if (!rc) puts(out);
  free(site);
  campEngineClose(e);
  return rc;
}

static int token(const CliArgs *a, const char *recordText) {
  long days = CAMP_CONTACT_TTL / 86400;
  if (campCliNumber(a, O_DAYS, 1, DAYS_MAX, &days)) return 2;
  char *end;
  errno = 0;
  long long id = strtoll(recordText, &end, 10);
  if (!*recordText || *end || errno || id < 1) return campCliUsage(a->cmd, "'%s' is not a record id (a number from 1)", recordText);
  Engine *e = openDb(a);
  if (!e) return 1;
  char err[512], model[CAMP_CONTACT_MODEL_MAX + 1], out[CAMP_CONTACT_TOKEN_SIZE];
  if (campStoreLandingRecord(e, a->opt[O_MODEL], id, model, sizeof model, err, sizeof err) != 1) return failed(a, e, err);
  if (campTrackContactToken(campCliSecret(e), model, id, campClockWall() + days * 86400, out) < 0)
    return failed(a, e, "cannot make the token (a model name longer than 63 bytes, or OpenSSL failed)");
  puts(out);
  campEngineClose(e);
  return 0;
}

/* -- the list ------------------------------------------------------------------------ */

typedef struct Listing { ReportFormat f; json_t *arr; } Listing;

static json_t *textOrNull(const char *s) { return s ? json_string(s) : json_null(); }

static int listOne(void *ctx, const WebsiteRow *w) {
  Listing *l = ctx;
  if (l->f == REPORT_TABLE) {
    Buf goals = { 0 };
    for (const char *g = w->goals; g && *g; g++) campBufPut(&goals, *g == '\n' ? "," : g, 1);
    printf("%-16s %-16s %-32s %-10s %-12s %s\n", w->name, w->siteId, w->url, w->model ? w->model : "-", w->code ? w->code : "-",
           goals.n ? goals.p : "-");
    campBufFree(&goals);
    return 0;
  }
  json_t *goals = json_array();
  for (const char *g = w->goals; g && *g;) {
    size_t n = strcspn(g, "\n");
    json_array_append_new(goals, json_stringn(g, n));
    g += n + (g[n] == '\n');
  }
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:o}", "name", w->name, "title", w->title, "site_id", w->siteId,
                        "url", w->url, "target", textOrNull(w->model), "code", textOrNull(w->code),
                        "initiative", textOrNull(w->initiative), "identify", textOrNull(w->identify), "link_token", w->linkToken,
                        "goals", goals);
  return o && json_array_append_new(l->arr, o) == 0 ? 0 : -1;
}

static int list(const CliArgs *a) {
  Listing l = { REPORT_TABLE, NULL };
  if (campCliFormat(a->cmd, a->opt[O_FORMAT], formats, &l.f)) return 2;
  Engine *e = openDb(a);
  if (!e) return 1;
  char err[512];
  l.arr = json_array();
  if (l.f == REPORT_TABLE) printf("%-16s %-16s %-32s %-10s %-12s %s\n", "website", "site_id", "url", "target", "code", "goals");
  if (campStoreLandingWebsites(e, NULL, listOne, &l, err, sizeof err) < 0) { json_decref(l.arr); return failed(a, e, err); }
  if (l.f == REPORT_JSON) { json_dumpf(l.arr, stdout, JSON_INDENT(2)); putchar('\n'); }
  json_decref(l.arr);
  campEngineClose(e);
  return 0;
}

/* -- the commands ---------------------------------------------------------------------- */

static const char usage[] = "give snippet NAME [--server URL], token [--model M] RECORD [--days N], auth NAME or list";

static int website(const CliArgs *a) {
  if (!a->npos) return campCliUsage(a->cmd, "%s", usage);
  const char *verb = a->pos[0];
  int list0 = !strcmp(verb, "list"), one = !strcmp(verb, "snippet") || !strcmp(verb, "token") || !strcmp(verb, "auth");
  if (!list0 && !one) return campCliUsage(a->cmd, "unknown subcommand '%s' (%s)", verb, usage);
  int want = list0 ? 1 : 2;
  if (a->npos > want) return campCliUsage(a->cmd, "unknown argument '%s' (%s)", a->pos[want], usage);
  if (a->npos < want) return campCliUsage(a->cmd, "%s needs %s", verb, !strcmp(verb, "token") ? "a RECORD id" : "the website's NAME");
  if (a->opt[O_SERVER] && strcmp(verb, "snippet")) return campCliUsage(a->cmd, "--server goes with snippet only");
  if ((a->opt[O_DAYS] || a->opt[O_MODEL]) && strcmp(verb, "token")) return campCliUsage(a->cmd, "--model and --days go with token only");
  if (a->opt[O_FORMAT] && !list0) return campCliUsage(a->cmd, "--format goes with list only");
  if (list0) return list(a);
  if (!strcmp(verb, "snippet")) return snippet(a, a->pos[1]);
  if (!strcmp(verb, "auth")) return auth(a, a->pos[1]);
  return token(a, a->pos[1]);
}

static int websites(const CliArgs *a) {
  if (a->npos) return campCliUsage(a->cmd, "unknown argument '%s' (use camp websites [--db DB] [--format table|json])", a->pos[0]);
  return list(a);
}

const CliSpec campCmdWebsite = {
  "website", "a tracked website: the snippet to paste, contact tokens, token_auth, the list", website,
  "camp website [--db DB] snippet NAME [--server URL]\n"
  "camp website [--db DB] token [--model MODEL] RECORD [--days N]\n"
  "camp website [--db DB] auth NAME\n"
  "camp website [--db DB] list [--format table|json]",
  "snippet: the HTML to paste into every page of deployed website NAME: it loads camp's tracker\n"
  "(SERVER/camp.js) and records a page view with the site's site_id.  token: a signed contact token\n"
  "naming RECORD, for the site's setUserId (valid N days, 30 by default).  auth: the site's token_auth\n"
  "(a server-side tracker sends it to set a hit's time, cdt).  list: as camp websites.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_SERVER, NULL }, { O_MODEL, "the model of RECORD (default: the only deployed model)" },
                       { O_DAYS, NULL }, { O_FORMAT, "table (default) or json" }, { CLI_NOPT, NULL } },
  "CAMP_SECRET\tsigns tokens instead of the database's secret (give camp serve the same)",
  "camp website --db shop.db snippet shop --server https://track.shop.example",
  "0\tdone\n1\tthe database failed, or no such website or record\n2\tusage error", 0,
};

const CliSpec campCmdWebsites = {
  "websites", "every deployed website: site_id, url, target, code, goals", websites,
  "camp websites [--db DB] [--format table|json]",
  "Every deployed website with its site_id, url, target model, default campaign code and goals.",
  (const CliOptUse[]){ { O_DB, NULL }, { O_FORMAT, "table (default) or json" }, { CLI_NOPT, NULL } },
  NULL, "camp websites --db shop.db --format json", NULL, 0,
};
