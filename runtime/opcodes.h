/*
** runtime/opcodes.h -- the opcode enum and table, derived from opcodes.def.
*/
#ifndef CAMP_OPCODES_H
#define CAMP_OPCODES_H

typedef enum {
#define OPCODE(name, operand, pops, pushes, doc) OP_##name,
#include "runtime/opcodes.def"
#undef OPCODE
  OP_COUNT_
} Opcode;

#endif
