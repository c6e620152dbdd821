/*
** stdlib/natives.h -- how the VM calls a native function or filter.
**
** Owns: the calling convention.  Each FN/FLT row of natives.def names a C
** function of this type in stdlib/natives.c; ACT rows name the actions of
** runtime/actions.c, declared in runtime/actions.h (the VM runs them
** through its host).
*/
#ifndef CAMP_NATIVES_H
#define CAMP_NATIVES_H

#include <stddef.h>
#include "runtime/vm.h"

typedef struct NativeCtx {
  int64_t now;                 /* the clock, seconds since epoch */
  VmHost *host;
  Vm *vm;                      /* for campVmScratch */
  int64_t recordId;            /* the record being evaluated, -1 none */
} NativeCtx;

/* Compute *out from args.  Text in *out points into argument text or into
** campVmScratch memory.  Bad input gives null, never an error: templates
** must render.  Returns 0, or -1 only on out of memory. */
typedef int (*NativeFn)(NativeCtx *c, const Value *args, int argc, Value *out);

/* Scratch memory valid until the VM's next run. */
char *campVmScratch(Vm *vm, size_t n);

/* The FN and FLT rows' functions; ACT rows are skipped (their functions
** have the signature of runtime/actions.h). */
#define NATIVE_DECL_FN(cfunc) int cfunc(NativeCtx *c, const Value *args, int argc, Value *out);
#define NATIVE_DECL_FLT(cfunc) NATIVE_DECL_FN(cfunc)
#define NATIVE_DECL_ACT(cfunc)
#define NATIVE(name, kind, result, params, cfunc, doc) NATIVE_DECL_##kind(cfunc)
#include "stdlib/natives.def"
#undef NATIVE
#undef NATIVE_DECL_FN
#undef NATIVE_DECL_FLT
#undef NATIVE_DECL_ACT

#endif
