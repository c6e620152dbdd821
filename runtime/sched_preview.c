/*
** runtime/sched_preview.c -- a message as it would be sent, without
** sending it.
**
** Owns: campSchedPreview: one message activity of a deployed campaign,
** rendered for one record through the code path a real send takes
** (campSchedCompose: templates, tracked links with their UTM targets, the
** unsubscribe URL; campSchedMessageOf and campMessageCompose: the RFC 5322
** message the file: and SMTP channels carry).  It writes nothing to the
** database: no participant, no trace, no link list.  Its Message-ID and
** tracked links name trace 0, which no trace ever is, so `camp serve`
** answers them 404 and `camp event` calls that Message-ID unknown.
** Does not own: where the files go (cli/preview.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/compose.h"
#include "runtime/sched_send.h"
#include "runtime/track.h"

/* The message activities of campaign l, comma-separated, into b. */
static void messageNames(const Loaded *l, Buf *b) {
  const ProgCampaign *c = &l->p->camps[l->camp];
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact; i++) {
    if (l->p->acts[i].kind != ACT_EMAIL && l->p->acts[i].kind != ACT_SMS) continue;
    campBufPuts(b, b->n ? ", " : "");
    campBufPuts(b, l->p->str[l->p->acts[i].name]);
  }
}

/* The activity named activity of l, which must be a message; its index,
** or CAMP_NONE with the reason in err. */
static uint32_t findMessage(const Loaded *l, const char *campaign, const char *activity, char *err, size_t errSize) {
  uint32_t act = campProgramFindActivity(l->p, l->camp, activity);
  Buf names = { 0 };
  messageNames(l, &names);
  if (act == CAMP_NONE)
    snprintf(err, errSize, "campaign '%s' has no activity '%s' (its messages: %s)", campaign, activity, names.n ? names.p : "none");
  else if (l->p->acts[act].kind != ACT_EMAIL && l->p->acts[act].kind != ACT_SMS) {
    int kind = l->p->acts[act].kind;
    snprintf(err, errSize, "activity '%s' is %s, not a message (email or SMS): nothing to preview (%s's messages: %s)",
             activity, kind == ACT_SPLIT ? "a split" : kind == ACT_IF ? "an if" : "an action", campaign, names.n ? names.p : "none");
    act = CAMP_NONE;
  }
  campBufFree(&names);
  return act;
}

/* The record's address for the activity's channel (malloc'd), or NULL
** with the reason in err (no address: a send would be rejected). */
static char *address(Engine *e, const Loaded *l, int sms, int64_t record, char *err, size_t errSize) {
  VmRecord r = campStoreRecord(e, l);
  int af = sms ? l->phoneField : l->emailField;
  if (af < 0 || r.fields[af].tag != VAL_TEXT || r.fields[af].len == 0) {
    snprintf(err, errSize, "record %lld has no %s: a send would be rejected", (long long)record, sms ? "phone number" : "email address");
    return NULL;
  }
  char *to = campComposeValue(campStoreVm(e), &r.fields[af]);
  if (!to) snprintf(err, errSize, "out of memory");
  return to;
}

/* Is the address suppressed (pv->note says so)?  0, or -1 on a database error. */
static int noteSuppressed(Engine *e, const Loaded *l, int sms, const char *to, Preview *pv, char *err, size_t errSize) {
  int sup = campStoreSuppressed(e, sms, to, strlen(to), err, errSize);
  if (sup < 0) return -1;
  VmRecord r = campStoreRecord(e, l);
  int optedOut = l->optOutField >= 0 && r.fields[l->optOutField].tag == VAL_BOOL && r.fields[l->optOutField].u.i;
  if (sup) pv->note = "the address is suppressed (opted out or bounced): a send would be canceled";
  else if (optedOut) pv->note = "the record opted out: a send would be canceled";
  return 0;
}

/* The composed message into pv: its parts, link targets and, for an
** email, the RFC 5322 bytes.  0, or -1 out of memory or a header past its
** limit (err says which). */
static int build(Engine *e, const Loaded *l, uint32_t act, const RunOptions *o, Outgoing *og, Preview *pv,
                 char *err, size_t errSize) {
  int64_t now = campEngineNow(e);
  ComposeLinks lk;
  campSchedCompose(e, l, act, 0, o, now, og, &lk);
  pv->nlinks = lk.n;
  pv->links = lk.targets.p;                   /* taken over: freed with pv */
  lk.targets = (Buf){ 0 };
  campComposeLinksFree(&lk);
  pv->sms = og->sms;
  if (og->sms) return 0;
  if (!og->text || !*og->text) {               /* the plain part the encoder derives (message.c) */
    free(og->text);
    if (!(og->text = campComposeText(og->html ? og->html : ""))) { snprintf(err, errSize, "out of memory"); return -1; }
  }
  char mid[96];
  Message m;
  if (campTrackMessageId(campEngineSecret(e), 0, mid, sizeof mid) < 0) { snprintf(err, errSize, "cannot make a Message-ID (OpenSSL failed)"); return -1; }
  if (campSchedMessageOf(og, mid, now, &m) < 0) { snprintf(err, errSize, "out of memory"); return -1; }
  if (campMessageCheck(&m, err, errSize) < 0) return -1;
  Buf eml = { 0 };
  if (campMessageCompose(&m, &eml) != 0 || eml.oom) { campBufFree(&eml); snprintf(err, errSize, "out of memory"); return -1; }
  pv->eml = eml.p;
  pv->emlLen = eml.n;
  return 0;
}

int campSchedPreview(Engine *e, const char *campaign, const char *activity, int64_t record, const char *baseUrl,
                     const char *secret, Preview *pv, char *err, size_t errSize) {
  memset(pv, 0, sizeof *pv);
  const Loaded *l = campSchedLoadFor(e, campaign, record, err, errSize);
  if (!l) return -1;
  uint32_t act = findMessage(l, campaign, activity, err, errSize);
  if (act == CAMP_NONE) return -1;
  int sms = l->p->acts[act].kind == ACT_SMS;
  Outgoing og;
  memset(&og, 0, sizeof og);
  og.to = address(e, l, sms, record, err, errSize);
  if (!og.to) return -1;
  RunOptions o = { .baseUrl = baseUrl, .secret = secret };
  int rc = noteSuppressed(e, l, sms, og.to, pv, err, errSize);
  if (rc == 0) rc = build(e, l, act, &o, &og, pv, err, errSize);
  /* the parts outlive og: taken over by pv */
  pv->subject = og.subject; pv->html = og.html; pv->text = og.text; pv->to = og.to;
  og.subject = og.html = og.text = og.to = NULL;
  campSchedOutFree(&og);
  if (rc < 0) campSchedPreviewFree(pv);
  return rc;
}

void campSchedPreviewFree(Preview *pv) {
  free(pv->subject); free(pv->html); free(pv->text); free(pv->to); free(pv->links); free(pv->eml);
  memset(pv, 0, sizeof *pv);
}
