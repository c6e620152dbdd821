/*
** runtime/actions.c -- the actions of `action` activities, as effects.
**
** Owns: one C function per ACT row of stdlib/natives.def, each turning its
** arguments and the record into an Effect (runtime/actions.h); the table
** that dispatches them by native index, generated from natives.def (a row
** whose function is missing does not link); the tags arithmetic of
** add_tag/remove_tag; the webhook's JSON, built with jansson.
** Does not own: writing anything (the store verbs apply effects, called by
** the VM host), or sending a webhook (runtime/chan_http.c, after commit).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "runtime/actions.h"
#include "runtime/clock.h"
#include "runtime/vm.h"

typedef int (*ActionFn)(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize);

/* The ACT rows' functions by native index; NULL for functions and filters. */
#define ACTION_FN_FN(cfunc) NULL
#define ACTION_FN_FLT(cfunc) NULL
#define ACTION_FN_ACT(cfunc) cfunc
static const ActionFn actionFns[] = {
#define NATIVE(name, kind, result, params, cfunc, doc) ACTION_FN_##kind(cfunc),
#include "stdlib/natives.def"
#undef NATIVE
};

int campActionRun(const ActionCtx *c, int native, const Value *args, int argc, Effect *out,
                  char *err, size_t errSize) {
  memset(out, 0, sizeof *out);
  if (native < 0 || native >= (int)(sizeof actionFns / sizeof actionFns[0])) {
    snprintf(err, errSize, "native %d is not an action", native);
    return -1;
  }
  if (!actionFns[native]) {
    snprintf(err, errSize, "action '%s' is not available in this runtime", campNatives[native].name);
    return -1;
  }
  out->record = c->record;
  out->at = c->now;
  out->model = c->p->str[c->p->models[c->model].name];
  return actionFns[native](c, args, argc, out, err, errSize);
}

void campActionEffectFree(Effect *fx) {
  free(fx->owned);
  fx->owned = NULL;
}

static Value textValue(const char *s) {
  Value v = { .tag = VAL_TEXT };
  v.u.s = s;
  v.len = (uint32_t)strlen(s);
  return v;
}

/* The name of field f (an F argument) of model m, or NULL when the image
** names no such field. */
static const char *fieldName(const Program *p, uint32_t m, const Value *f) {
  if (f->tag != VAL_INT || f->u.i < 0 || (uint64_t)f->u.i >= p->models[m].nfield) return NULL;
  return p->str[p->models[m].fields[f->u.i].name];
}

static int badImage(const char *what, char *err, size_t errSize) {
  snprintf(err, errSize, "the image names no such %s", what);
  return -1;
}

/* set(field, value) */
int campActionSet(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_SET;
  if (argc < 2 || !(out->u.set.field = fieldName(c->p, c->model, &args[0]))) return badImage("field", err, errSize);
  out->u.set.value = args[1];
  return 0;
}

/* The model's first tags field, or -1. */
static int tagsField(const Program *p, uint32_t model) {
  const ProgModel *m = &p->models[model];
  for (uint32_t f = 1; f < m->nfield; f++) if (m->fields[f].type == TYPE_TAGS) return (int)f;
  return -1;
}

/* The tags text cur with tag added or removed (case-insensitive, spaces
** around each tag dropped, empty tags dropped).  Malloc'd; NULL when out
** of memory. */
static char *editTags(const Value *cur, const Value *tag, int add) {
  size_t cap = (cur->tag == VAL_TEXT ? cur->len : 0) + tag->len + 4;
  char *out = calloc(1, cap), *o = out;
  int present = 0;
  if (!out) return NULL;
  if (cur->tag == VAL_TEXT) {
    const char *s = cur->u.s, *end = s + cur->len;
    while (s < end) {
      const char *comma = memchr(s, ',', (size_t)(end - s));
      if (!comma) comma = end;
      const char *a = s, *b = comma;
      while (a < b && *a == ' ') a++;
      while (b > a && b[-1] == ' ') b--;
      int same = (uint32_t)(b - a) == tag->len && !strncasecmp(a, tag->u.s, tag->len);
      present |= same;
      if (b > a && !(same && !add)) { if (o > out) *o++ = ','; memcpy(o, a, (size_t)(b - a)); o += b - a; }
      s = comma + 1;
    }
  }
  if (add && !present && tag->len) { if (o > out) *o++ = ','; memcpy(o, tag->u.s, tag->len); o += tag->len; }
  *o = 0;
  return out;
}

static int editTagsEffect(const ActionCtx *c, const Value *args, int argc, int add, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_TAGS;
  int f = tagsField(c->p, c->model);
  if (f < 0) { snprintf(err, errSize, "model '%s' has no tags field", out->model); return -1; }
  Value none = { 0 };
  char *t = editTags(&c->fields[f], argc > 0 ? &args[0] : &none, add);
  if (!t) { snprintf(err, errSize, "out of memory"); return -1; }
  out->owned = t;
  out->u.set.field = c->p->str[c->p->models[c->model].fields[f].name];
  out->u.set.value = textValue(t);
  return 0;
}

/* add_tag(tag) */
int campActionAddTag(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  return editTagsEffect(c, args, argc, 1, out, err, errSize);
}

/* remove_tag(tag) */
int campActionRemoveTag(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  return editTagsEffect(c, args, argc, 0, out, err, errSize);
}

/* opt_out(): the person opted out, not one address -- the record's email
** and its phone are both suppressed. */
int campActionOptOut(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_OPT_OUT;
  int any = 0;
  for (int sms = 0; sms < 2; sms++) {
    int f = sms ? c->phoneField : c->emailField;
    if (f < 0 || c->fields[f].tag != VAL_TEXT || c->fields[f].len == 0) continue;
    *(sms ? &out->u.optOut.phone : &out->u.optOut.email) = c->fields[f];
    any = 1;
  }
  if (!any) { snprintf(err, errSize, "the record has no address to suppress"); return -1; }
  return 0;
}

static int listEffect(const ActionCtx *c, const Value *args, int argc, int add, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_LIST;
  if (argc < 1 || args[0].tag != VAL_INT || args[0].u.i < 0 || (uint64_t)args[0].u.i >= c->p->nlist)
    return badImage("list", err, errSize);
  out->u.list.list = c->p->str[c->p->lists[args[0].u.i].name];
  out->u.list.add = add;
  return 0;
}

/* add_to_list(list) */
int campActionAddToList(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  return listEffect(c, args, argc, 1, out, err, errSize);
}

/* remove_from_list(list) */
int campActionRemoveFromList(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  return listEffect(c, args, argc, 0, out, err, errSize);
}

/* note(text) */
int campActionNote(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_NOTE;
  if (argc > 0) out->u.note.text = args[0];
  return 0;
}

/* create(model, field: value, ...): the named fields of a new record of
** model, in call order (none: every field takes its default). */
int campActionCreate(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_CREATE;
  if (argc < 1 || args[0].tag != VAL_INT || args[0].u.i < 0 || (uint64_t)args[0].u.i >= c->p->nmodel)
    return badImage("model", err, errSize);
  uint32_t target = (uint32_t)args[0].u.i;
  int n = (argc - 1) / 2;
  out->model = c->p->str[c->p->models[target].name];
  if (n == 0) return 0;
  Value *values = malloc((size_t)n * (sizeof *values + sizeof(const char *)));
  if (!values) { snprintf(err, errSize, "out of memory"); return -1; }
  const char **fields = (const char **)(values + n);
  out->owned = values;
  for (int k = 0; k < n; k++) {
    if (!(fields[k] = fieldName(c->p, target, &args[1 + 2 * k]))) return badImage("field", err, errSize);
    values[k] = args[2 + 2 * k];
  }
  out->u.create.n = n;
  out->u.create.fields = fields;
  out->u.create.values = values;
  return 0;
}

/* v as JSON (jansson): times as ISO 8601, durations as seconds. */
static json_t *jsonValue(const Value *v) {
  char iso[CAMP_CLOCK_ISO_SIZE];
  switch (v->tag) {
  case VAL_NULL: return json_null();
  case VAL_BOOL: return json_boolean(v->u.i);
  case VAL_INT: case VAL_DURATION: return json_integer((json_int_t)v->u.i);
  case VAL_REAL: return json_real(v->u.r);
  case VAL_TEXT: return json_stringn(v->u.s, v->len);
  case VAL_TIME: campClockFormat(v->u.i, iso); return json_string(iso);
  case VAL_LIST: {
    json_t *a = json_array();
    for (uint32_t i = 0; i < v->len; i++) json_array_append_new(a, jsonValue(&v->u.items[i]));
    return a;
  }
  }
  return json_null();
}

static int isHttpUrl(const Value *u) {
  return u->tag == VAL_TEXT && ((u->len >= 7 && !strncmp(u->u.s, "http://", 7)) || (u->len >= 8 && !strncmp(u->u.s, "https://", 8)));
}

/* webhook(url, name: value, ...): the URL and the named values as a JSON
** object.  Nothing is sent here: the store queues it with the trace, and
** the body (campActionWebhookBody) is made once the activity's actions
** have all run, from the record as they left it. */
int campActionWebhook(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize) {
  out->kind = EFFECT_WEBHOOK;
  if (argc < 1 || args[0].tag != VAL_TEXT) { snprintf(err, errSize, "webhook: the URL is null"); return -1; }
  if (!isHttpUrl(&args[0])) {
    snprintf(err, errSize, "webhook: '%.*s' is not an http(s) URL", args[0].len > 200 ? 200 : (int)args[0].len, args[0].u.s);
    return -1;
  }
  json_t *vals = json_object();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (args[i].tag != VAL_TEXT) continue;
    json_object_setn_new(vals, args[i].u.s, args[i].len, jsonValue(&args[i + 1]));
  }
  char *text = vals ? json_dumps(vals, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(vals);
  if (!text) { snprintf(err, errSize, "out of memory"); return -1; }
  out->owned = text;
  out->u.webhook.url = args[0];
  out->u.webhook.values = text;
  return 0;
}

char *campActionWebhookBody(const Program *p, uint32_t camp, uint32_t act, const Value *fields, const char *values) {
  const ProgCampaign *c = &p->camps[camp];
  const ProgModel *m = &p->models[c->model];
  json_t *rec = json_object(), *vals = values ? json_loads(values, 0, NULL) : NULL;
  for (uint32_t f = 0; rec && f < m->nfield; f++) json_object_set_new(rec, p->str[m->fields[f].name], jsonValue(&fields[f]));
  json_t *body = json_pack("{s:s,s:s,s:s,s:o,s:o}", "campaign", p->str[c->name], "activity", p->str[p->acts[act].name],
                           "model", p->str[m->name], "record", rec, "values", vals ? vals : json_object());
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  return text;
}
