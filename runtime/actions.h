/*
** runtime/actions.h -- the actions of `action` activities, as effects.
**
** Owns: the C functions the ACT rows of stdlib/natives.def name, their
** calling convention, and the Effect each one returns: what the action
** would write, and where, computed from its arguments and the record as
** loaded -- no database.  Also the webhook's JSON (the named values, then
** the body POSTed).
** Does not own: recording an effect (the scheduler's VM host, sched_host.c,
** through the store's record verbs), the run of an activity (the scheduler), or
** POSTing a webhook (runtime/chan_http.c).
*/
#ifndef CAMP_ACTIONS_H
#define CAMP_ACTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/program.h"

/* What an action does to the world, for the scheduler to record. */
typedef enum {
  EFFECT_NONE = 0,
  EFFECT_SET,           /* set(field, value): u.set, on the record */
  EFFECT_TAGS,          /* add_tag / remove_tag: u.set, the tags field's new text */
  EFFECT_OPT_OUT,       /* opt_out(): suppress u.optOut's addresses (email, sms) */
  EFFECT_LIST,          /* add_to_list / remove_from_list: u.list */
  EFFECT_NOTE,          /* note(text): u.note, on the record */
  EFFECT_CREATE,        /* create(model, field: value, ...): u.create, a new record of model */
  EFFECT_WEBHOOK        /* webhook(url, name: value, ...): u.webhook, queued for the POST */
} EffectKind;

/* An effect points into the action's arguments, the program and the
** record, and owns what it made (tags text, the create's arrays, the
** webhook's JSON): apply it before the VM runs on, then
** campActionEffectFree. */
typedef struct Effect {
  EffectKind kind;
  const char *model;        /* the model written: the record's, or create's */
  int64_t record;           /* the record's id (not create's new record) */
  int64_t at;               /* the clock when the action ran */
  union {
    struct { const char *field; Value value; } set;            /* EFFECT_SET, EFFECT_TAGS */
    struct { Value email, phone; } optOut;                     /* VAL_NULL: none to suppress */
    struct { const char *list; int add; } list;
    struct { Value text; } note;
    struct { int n; const char **fields; Value *values; } create;   /* n named fields */
    struct { Value url; char *values; } webhook;   /* values: a JSON object, compact, in call order */
  } u;
  void *owned;              /* freed by campActionEffectFree */
} Effect;

/* What an action sees: the program, the record it runs on (field 0 is
** the id) and the clock. */
typedef struct ActionCtx {
  const Program *p;
  uint32_t model;           /* the record's model (index in p->models) */
  const Value *fields;      /* the record, in model field order */
  int64_t record;           /* its id */
  int emailField, phoneField;   /* the fields opt_out() suppresses, or -1 */
  int64_t now;
} ActionCtx;

/* The calling convention of an ACT row's C function: fill *out (zeroed by
** the caller) from args; 0, or -1 with one line in err.  out->kind is set
** before any error, so a caller can tell which kind of write failed. */
#define ACTION_DECL_FN(cfunc)
#define ACTION_DECL_FLT(cfunc)
#define ACTION_DECL_ACT(cfunc) \
  int cfunc(const ActionCtx *c, const Value *args, int argc, Effect *out, char *err, size_t errSize);
#define NATIVE(name, kind, result, params, cfunc, doc) ACTION_DECL_##kind(cfunc)
#include "stdlib/natives.def"
#undef NATIVE
#undef ACTION_DECL_FN
#undef ACTION_DECL_FLT
#undef ACTION_DECL_ACT

/* Run action `native` (its index in natives.def, as the VM calls it):
** *out is zeroed, then filled by the row's C function.  -1 with a message
** in err when native is not an ACT row or the action fails.  Call
** campActionEffectFree(out) in every case. */
int campActionRun(const ActionCtx *c, int native, const Value *args, int argc, Effect *out,
                  char *err, size_t errSize);
void campActionEffectFree(Effect *fx);

/* The body POSTed for a webhook of activity act of campaign camp:
** {"campaign", "activity", "model", "record": {the fields, as the
** activity's actions left the record}, "values": the JSON object its
** EFFECT_WEBHOOK carried (values; {} when it is not one)}.  Malloc'd
** compact JSON, or NULL when out of memory. */
char *campActionWebhookBody(const Program *p, uint32_t camp, uint32_t act, const Value *fields, const char *values);

#endif
