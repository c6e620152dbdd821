/*
** runtime/opcodes.h -- what the numbers in bytecode mean: the opcode enum
** and table (from opcodes.def), the natives table (from stdlib/natives.def),
** the stack limit.
**
** Owns: the tables every reader of bytecode shares -- the compiler's
** resolver and code generator, the loader's validation (program.c), the
** disassembler, the VM.  A leaf (opcodes.c needs nothing else), so the
** compiler uses it without linking the VM.  Does not own: emitting code
** (compiler/codegen.c), checking it (program.c) or running it (vm.c).
*/
#ifndef CAMP_OPCODES_H
#define CAMP_OPCODES_H

#include <stdint.h>

typedef enum {
#define OPCODE(name, operand, pops, pushes, doc) OP_##name,
#include "runtime/opcodes.def"
#undef OPCODE
  OP_COUNT_
} Opcode;

/* An instruction's operand kind (opcodes.def's operand column). */
enum { OPND_NONE = 0, OPND_U32, OPND_ADDR, OPND_NATIVE, OPND_COUNT };

/* One row per opcode, in opcodes.def order.  len is the instruction's size
** in bytes, the opcode byte included; pops and pushes are the stack effect,
** -1 = "the operand's count". */
typedef struct OpcodeInfo {
  const char *name;
  uint8_t operand;             /* OPND_* */
  uint8_t len;
  int8_t pops, pushes;
} OpcodeInfo;
extern const OpcodeInfo campOpcodes[OP_COUNT_];

/* The deepest a block's value stack may go: the loader (program.c) proves
** every block stays within it, so the VM's fixed stack never overflows. */
#define CAMP_STACK_MAX 256

/* The natives table, one row per stdlib/natives.def row, in its order:
** bytecode names a native by its index here (OP_CALL, OP_ACTION).
** result and params are natives.def's type letters. */
enum { NATIVE_FN = 1, NATIVE_FLT, NATIVE_ACT };
typedef struct NativeInfo {
  const char *name;
  int kind;                    /* NATIVE_FN, NATIVE_FLT, NATIVE_ACT */
  char result;
  const char *params;
  const char *doc;
} NativeInfo;
extern const NativeInfo campNatives[];
extern const int campNativeCount;

/* OP_ESCAPE's operand: how a template value is made safe where it lands.
** The compiler chooses (compiler/html.c): values in HTML bodies are
** escaped for their place, values in text and SMS parts only marked; `raw`
** values in HTML are only marked.  Every mode wraps the value, as text, in
** CAMP_VALUE_OPEN ... CAMP_VALUE_CLOSE, two bytes that never occur in UTF-8
** (the value's own such bytes become U+FFFD first): the link tracker
** (runtime/track.c) never rewrites a link that comes from a value, and
** strips the marks.
**   ESC_MARK  nothing escaped (text, SMS, `| raw`)
**   ESC_HTML  & < > " ' as character references (text, quoted attributes)
**   ESC_ATTR  also white space, = and ` (unquoted attributes, inside a tag)
**   ESC_URL   a link target (href, src ...): only http://, https:// or
**             mailto: URLs; anything else becomes "#"; escaped as ESC_ATTR */
enum { ESC_MARK = 0, ESC_HTML, ESC_ATTR, ESC_URL, ESC_COUNT_ };
#define CAMP_VALUE_OPEN '\xfe'
#define CAMP_VALUE_CLOSE '\xff'

#endif
