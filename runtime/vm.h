/*
** runtime/vm.h -- the bytecode interpreter.
**
** Owns: executing one code block of a Program against one record.  Does not
** own: where records come from (the store: store.h), what actions do (the
** host: actions.c computes effects, the store applies them), or the clock
** (clock.c: the caller passes now).
*/
#ifndef CAMP_VM_H
#define CAMP_VM_H

#include <stddef.h>
#include "runtime/opcodes.h"       /* campNatives: the index an action gets */
#include "runtime/program.h"

typedef struct VmHost VmHost;

/* What the VM needs from its caller.  Any callback may be NULL: a function
** that needs a missing callback yields null, an action fails with an error. */
struct VmHost {
  void *ctx;
  /* Is record `id` of model `model` a member of list `list` (ProgList index)? */
  int (*inList)(VmHost *h, uint32_t list, int64_t id);
  /* Run action native `native` (index into the natives table) with its
  ** arguments; return 0 or -1 with a message in err. */
  int (*action)(VmHost *h, int native, const Value *args, int argc,
                char *err, size_t errSize);
  /* visited(): has record `id` of model `model` a website hit (not a
  ** bot's) at or after `since` (INT64_MIN: ever) whose URL is like
  ** `pattern` (campSchedVisitUrlLike's rule)?  1 yes, 0 no, -1 error. */
  int (*visited)(VmHost *h, const char *model, int64_t id, const char *pattern, size_t patternLen, int64_t since);
};

/* A record as the VM sees it: values in model field order, field 0 = id. */
typedef struct VmRecord {
  uint32_t model;
  uint32_t nfield;
  const Value *fields;
} VmRecord;

typedef struct Vm Vm;

/* A VM owns a value stack and a text scratch buffer reused across calls;
** one per thread.  campVmNew returns NULL on out of memory. */
Vm *campVmNew(void);
void campVmFree(Vm *vm);

/* Run block `code` of p against rec at time `now` (seconds since epoch).
** On success returns 0 and stores the result in *out; text in *out points
** into the VM's scratch and stays valid until the next campVmRun.  On a
** run-time error returns -1 with one line in err (naming the source line).
** Never crashes on a validated program. */
int campVmRun(Vm *vm, const Program *p, uint32_t code, const VmRecord *rec,
              int64_t now, VmHost *host, Value *out, char *err, size_t errSize);

/* Convenience: run a CODE_FILTER block; returns 1 (matches), 0 (does not,
** including null), -1 on error. */
int campVmFilter(Vm *vm, const Program *p, uint32_t code, const VmRecord *rec,
                 int64_t now, VmHost *host, char *err, size_t errSize);

/* SQL LIKE, as the language's `like`: in pattern, % matches any run of
** bytes, _ one byte, anything else itself, ASCII case-insensitively; the
** whole of s must match.  1 or 0. */
int campVmLike(const char *s, size_t sLen, const char *pattern, size_t patternLen);

/* v as text (datetime ISO 8601, null empty) into *out; text lives in the
** VM's scratch until its next run.  Returns 0, or -1 on out of memory. */
int campVmToText(Vm *vm, const Value *v, Value *out);

/* What byte c becomes in escape mode (ESC_MARK, ESC_HTML, ESC_ATTR,
** ESC_URL: runtime/opcodes.h): a character reference, U+FFFD for the value
** marks, or NULL to copy c.  The one HTML escaper (templates, the HTML
** report). */
const char *campVmEscapeOf(int mode, unsigned char c);

/* -- the natives' side --------------------------------------------------
** The VM calls the functions and filters of stdlib/ (natives.def's FN and
** FLT rows) through campNativeFns; runtime/natives.c defines that table and
** includes this header for what natives may ask of the VM.  The VM never
** includes a stdlib header: dependencies point from the library to the
** VM, as in Lua, never back. */

/* What a native sees of the run that calls it. */
typedef struct NativeCtx {
  int64_t now;                 /* the clock, seconds since epoch */
  VmHost *host;
  Vm *vm;                      /* for campVmScratch and campVmToText */
  int64_t recordId;            /* the record being evaluated, -1 none */
  const char *model;           /* the name of its model, or NULL */
} NativeCtx;

/* Compute *out from args.  Text in *out points into argument text or into
** campVmScratch memory.  Bad input gives null, never an error: templates
** must render.  Returns 0, or -1 only on out of memory. */
typedef int (*NativeFn)(NativeCtx *c, const Value *args, int argc, Value *out);

/* One entry per natives.def row, in its order (campNatives' indexes); NULL
** for ACT rows, which the VM runs through VmHost.action.  Defined by
** runtime/natives.c. */
extern const NativeFn campNativeFns[];

/* n + 1 bytes of scratch memory, valid until the VM's next run; NULL on
** out of memory. */
char *campVmScratch(Vm *vm, size_t n);

#endif
