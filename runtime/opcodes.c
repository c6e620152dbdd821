/*
** runtime/opcodes.c -- the opcode and natives tables (see opcodes.h),
** expanded from runtime/opcodes.def and stdlib/natives.def.
**
** Owns: the only expansion of those lists into data.  Does not own: the C
** functions natives name (runtime/natives.c, the actions) -- so the
** compiler and the disassembler read these tables without linking them.
*/
#include "runtime/opcodes.h"

#define OPLEN_NONE 1
#define OPLEN_U32 5
#define OPLEN_ADDR 5
#define OPLEN_NATIVE 4
#define OPLEN_COUNT 3
const OpcodeInfo campOpcodes[OP_COUNT_] = {
#define OPCODE(name, operand, pops, pushes, doc) { #name, OPND_##operand, OPLEN_##operand, pops, pushes },
#include "runtime/opcodes.def"
#undef OPCODE
};

const NativeInfo campNatives[] = {
#define NATIVE(name, kind, result, params, cfunc, doc) { #name, NATIVE_##kind, (#result)[0], params, doc },
#include "stdlib/natives.def"
#undef NATIVE
};
const int campNativeCount = sizeof campNatives / sizeof campNatives[0];
