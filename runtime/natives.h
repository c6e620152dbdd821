/*
** runtime/natives.h -- the C functions of natives.def's FN and FLT rows.
**
** Owns: their prototypes.  The calling convention (NativeCtx, NativeFn) and
** what a native may ask of the VM (scratch memory, text conversion, the
** host) are the VM's API, in runtime/vm.h, which this header includes.
** The direction is one way on purpose: these functions depend on the VM's
** API; the VM never includes this header and reaches them only through
** the table campNativeFns (runtime/natives.c).  stdlib/ holds only the
** table natives.def, data that the compiler, the VM and the actions read:
** no folder's code depends on another's in a cycle.
** ACT rows are skipped: actions are not NativeFns (their functions are
** runtime/actions.c's, declared in runtime/actions.h); the VM runs them
** through its host (VmHost.action).
*/
#ifndef CAMP_NATIVES_H
#define CAMP_NATIVES_H

#include "runtime/vm.h"

#define NATIVE_DECL_FN(cfunc) int cfunc(NativeCtx *c, const Value *args, int argc, Value *out);
#define NATIVE_DECL_FLT(cfunc) NATIVE_DECL_FN(cfunc)
#define NATIVE_DECL_ACT(cfunc)
#define NATIVE(name, kind, result, params, cfunc, doc) NATIVE_DECL_##kind(cfunc)
#include "stdlib/natives.def"
#undef NATIVE

#endif
