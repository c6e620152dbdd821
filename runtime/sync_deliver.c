/*
** runtime/sync_deliver.c -- a mailing delivered through an ESP (`via
** mailchimp|dotdigital SYNC`, docs/SYNC.md "Mailings via an ESP").
**
** Owns: campSyncDeliver -- the mailing's content rendered once for the
** provider (the sync's directly mapped fields as the driver's merge tags),
** the provider's campaign created for the sync's segment / address book,
** its id kept (and committed) before the provider is asked to send or
** schedule it, and the sent stamp; a delivery killed anywhere and run again
** asks the provider whether the stored campaign went out before sending it.
** Does not own: when a mailing is due (sched.c, cli/send.c), the
** renderer (compose.c), the connection (sync.c campSyncOpen), the
** provider's API (esp_*.c), the rows (store_sync_deliver.c), the
** campaign's statistics (they come home through the import, sync_import.c,
** which finds this mailing by (transport, esp_id)).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/compose.h"
#include "runtime/sync_int.h"

/* What is sent: the content of the mailing's one email activity. */
typedef struct Content {
  char *title, *subject, *html, *text, *fromName, *fromEmail;
  Value *fields;            /* the synthetic record's values */
  char **tags;              /* their texts (one per model field, NULL for unmapped ones) */
  uint32_t nfield;
} Content;

static void contentFree(Content *k) {
  free(k->title); free(k->subject); free(k->html); free(k->text); free(k->fromName); free(k->fromEmail);
  for (uint32_t f = 0; k->tags && f < k->nfield; f++) free(k->tags[f]);
  free(k->tags);
  free(k->fields);
  memset(k, 0, sizeof *k);
}

/* The driver's merge tag format ("*|%s|*") with tag in place of its %s
** (malloc'd; NULL when out of memory). */
static char *mergeTag(const char *fmt, const char *tag) {
  const char *at = strstr(fmt, "%s");
  size_t pre = at ? (size_t)(at - fmt) : strlen(fmt), post = at ? strlen(at + 2) : 0, n = strlen(tag);
  char *t = malloc(pre + n + post + 1);
  if (!t) return NULL;
  memcpy(t, fmt, pre);
  memcpy(t + pre, tag, n);
  if (at) memcpy(t + pre + n, at + 2, post);
  t[pre + n + post] = 0;
  return t;
}

/* The record the content is rendered for: each field the sync maps as
** `field TAG = f` holds the driver's merge tag for TAG ("*|FNAME|*"), the
** model's first email field (the address every sync sends) the tag EMAIL
** ("*|EMAIL|*", "@EMAIL@"), every other field is null (the compiler refuses a `via` mailing whose
** templates read one: E081), field 0 (the id) too. */
static int syntheticRecord(const Program *p, const ProgCampaign *c, const EspDriver *d, Content *k, VmRecord *r) {
  const ProgModel *m = &p->models[c->model];
  const ProgSync *y = &p->syncs[c->via];
  k->nfield = m->nfield;
  k->fields = calloc(m->nfield, sizeof *k->fields);
  k->tags = calloc(m->nfield, sizeof *k->tags);
  if (!k->fields || !k->tags) return -1;
  for (uint32_t i = y->field0; i < y->field0 + y->nfield; i++) {
    const ProgSyncField *sf = &p->sfields[i];
    if (sf->field == CAMP_NONE || sf->field >= m->nfield || k->tags[sf->field]) continue;
    char *t = mergeTag(d->mergeTag, p->str[sf->tag]);
    if (!t) return -1;
    k->tags[sf->field] = t;
    k->fields[sf->field] = (Value){ .tag = VAL_TEXT, .len = (uint32_t)strlen(t), .u.s = t };
  }
  for (uint32_t f = 1; f < m->nfield; f++)           /* the address: the sync's email field, the provider's EMAIL */
    if (m->fields[f].type == TYPE_EMAIL) {
      if (!k->tags[f] && !(k->tags[f] = mergeTag(d->mergeTag, "EMAIL"))) return -1;
      k->fields[f] = (Value){ .tag = VAL_TEXT, .len = (uint32_t)strlen(k->tags[f]), .u.s = k->tags[f] };
      break;
    }
  *r = (VmRecord){ c->model, m->nfield, k->fields };
  return 0;
}

/* One template of the mailing (CAMP_NONE: NULL, no error), its values'
** marks stripped: the provider tracks the links, not camp. */
static char *renderOne(Engine *e, const Program *p, uint32_t block, const VmRecord *r, int *failed, char *err, size_t errSize) {
  if (block == CAMP_NONE || *failed) return NULL;
  VmHost host;
  memset(&host, 0, sizeof host);   /* no record behind it: in_list(), visited() and actions have nothing to ask */
  char *s = campComposeRender(campStoreVm(e), p, block, r, campEngineNow(e), &host, err, errSize);
  Buf b = { 0 };
  char *out = s && campTrackUnmarked(s, &b) == 0 ? (b.p ? b.p : strdup("")) : NULL;
  if (!out) { free(b.p); *failed = 1; if (s) snprintf(err, errSize, "out of memory"); }
  free(s);
  return out;
}

/* Subject, sender, HTML and text of mailing c's email, rendered once with
** the compose.c renderer camp's own sends use; the sender defaults as theirs
** (camp config sender); no text: the text of the HTML (as camp's own).
** 0, or -1 with the message in err. */
static int render(Engine *e, const Program *p, const ProgCampaign *c, const EspDriver *d, Content *k, char *err, size_t errSize) {
  VmRecord r;
  if (syntheticRecord(p, c, d, k, &r) < 0) { snprintf(err, errSize, "out of memory"); return -1; }
  const ProgActivity *a = &p->acts[c->firstAct];
  int failed = 0;
  k->subject = renderOne(e, p, a->subject, &r, &failed, err, errSize);
  k->html = renderOne(e, p, a->body, &r, &failed, err, errSize);
  k->text = renderOne(e, p, a->text, &r, &failed, err, errSize);
  char *from = renderOne(e, p, a->from, &r, &failed, err, errSize);
  if (failed) { free(from); return -1; }
  if (!from || !*from) { free(from); from = campStoreMailingSender(e); }
  int rc = campComposeSplitFrom(from, &k->fromName, &k->fromEmail);
  free(from);
  k->title = strdup(p->str[c->title]);
  if (!k->subject) k->subject = strdup("");
  if (!k->html) k->html = strdup("");
  if (!k->text) k->text = campComposeText(k->html ? k->html : "");
  if (rc < 0 || !k->title || !k->subject || !k->html || !k->text) { snprintf(err, errSize, "out of memory"); return -1; }
  return 0;
}

/* The mailing named name, loaded: its campaign id and image; an error
** when it is not a deployed `via` mailing. */
static const Loaded *loadMailing(Engine *e, const char *name, char *err, size_t errSize) {
  err[0] = 0;
  int64_t id = campStoreCampaignId(e, name, err, errSize);
  if (!id) { if (!err[0]) snprintf(err, errSize, "no mailing '%s' is deployed", name); return NULL; }
  const Loaded *l = campStoreLoaded(e, id, err, errSize);
  if (!l) return NULL;
  const ProgCampaign *c = &l->p->camps[l->camp];
  if (!c->isMailing || c->via == CAMP_NONE || c->via >= l->p->nsync) {
    snprintf(err, errSize, "'%s' is not a mailing delivered via an ESP", name);
    return NULL;
  }
  return l;
}

static void say(FILE *log, const char *name, const char *what, const char *id, const char *provider) {
  if (log) fprintf(log, "mailing %s: %s %s campaign %s\n", name, what, provider, id);
}

/* The provider's campaign of mailing l: the stored one (asked whether it
** went out: *sent), or one created now and its id committed before any
** send.  0, or -1 with the message in err. */
static int campaignOf(SyncCtx *x, int64_t campaign, const char *name, const StoreVia *v, const Content *k, int64_t at,
                      char *id, size_t idSize, int *sent, char *err, size_t errSize) {
  *sent = 0;
  if (v->espId[0]) {
    snprintf(id, idSize, "%s", v->espId);
    if (x->d->state(&x->c, id, sent, err, errSize) < 0) return -1;
    say(x->o->log, name, *sent ? "found it sent by" : "resuming", id, x->d->name);
    return 0;
  }
  EspMailing m = { name, k->title, k->subject, k->fromName, k->fromEmail, k->html, k->text, at };
  if (x->d->create(&x->c, &m, id, idSize, err, errSize) < 0) return -1;
  /* kept before the send: killed after this, a re-run finds it and sends it once */
  if (campStoreSyncDeliverSetId(x->e, campaign, x->d->name, id, err, errSize) < 0) return -1;
  say(x->o->log, name, "created", id, x->d->name);
  return 0;
}

int campSyncDeliver(Engine *e, const char *mailing, FILE *log, char *err, size_t errSize) {
  const Loaded *l = loadMailing(e, mailing, err, errSize);
  if (!l) return -1;
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  int64_t campaign = l->campaign;
  StoreVia v;
  if (campStoreSyncDeliverGet(e, campaign, &v, err, errSize) < 0) return -1;
  if (v.sentAt != INT64_MIN) return 0;                      /* delivered: a mailing is sent once */
  const EspDriver *d = campEspDriver(p->syncs[c->via].esp);
  if (!d || !d->create || !d->send || !d->state) {
    snprintf(err, errSize, "mailing '%s': %s cannot deliver mailings", mailing, d ? d->name : "its sync's provider");
    return -1;
  }
  if (v.espId[0] && strcmp(v.transport, d->name)) {
    snprintf(err, errSize, "mailing '%s': its campaign %s is at %s, its sync now at %s (deploy the sync as it was to finish it)",
             mailing, v.espId, v.transport, d->name);
    return -1;
  }
  Content k = { 0 };
  if (render(e, p, c, d, &k, err, errSize) < 0) { contentFree(&k); return -1; }
  int64_t now = campEngineNow(e), at = c->at != CAMP_AT_MANUAL && c->at > now ? c->at : 0;
  /* l may be reloaded by the store calls that follow: what is needed of it is copied */
  char *sync = strdup(p->str[p->syncs[c->via].name]);
  l = NULL; p = NULL; c = NULL;
  SyncOptions o = { .log = log, .out = log ? log : stderr };
  SyncStats st = { 0 };
  SyncCtx x;
  memset(&x, 0, sizeof x);
  int rc = sync ? campSyncOpen(&x, e, &o, &st, sync, err, errSize) : (snprintf(err, errSize, "out of memory"), -1);
  if (rc == 0 && x.d != d) {
    snprintf(err, errSize, "mailing '%s': sync %s is now a %s sync (deploy the mailing again)", mailing, sync, x.d->name);
    rc = -1;
  }
  char id[128];
  int sent = 0;
  if (rc == 0) rc = campaignOf(&x, campaign, mailing, &v, &k, at, id, sizeof id, &sent, err, errSize);
  if (rc == 0 && !sent) {
    rc = d->send(&x.c, id, at, err, errSize);
    if (rc == 0) say(log, mailing, at ? "scheduled" : "sent", id, d->name);
  }
  if (rc == 0) rc = campStoreSyncDeliverSent(e, campaign, at ? at : now, err, errSize);
  if (sync) campSyncClose(&x);                              /* also after a failed open: it frees what open made */
  free(sync);
  contentFree(&k);
  return rc;
}
