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
