/*
** runtime/value.h -- the value model shared by the compiler's constant pool,
** the bytecode image and the VM.
**
** Owns: the field types a model may declare and their names, the run-time
** value tags and the Value struct.  Does not own: storage of values (program.c owns the pool,
** the store owns records: store.h) or operations on them (vm.c).
*/
#ifndef CAMP_VALUE_H
#define CAMP_VALUE_H

#include <stdint.h>

/* Static types.  The first eight are the field types a model may declare,
** in the order the language names them; the rest exist only in expressions.
** TYPE_ANY is the type of `null` and of a failed sub-expression, and is
** compatible with everything so one error does not cascade. */
typedef enum {
  TYPE_TEXT = 1, TYPE_INT, TYPE_REAL, TYPE_BOOL, TYPE_DATETIME,
  TYPE_EMAIL, TYPE_PHONE, TYPE_TAGS,
  TYPE_DURATION, TYPE_LIST, TYPE_ANY, TYPE_VOID,
  TYPE_COUNT_
} CampType;

/* The language's name of type t ("text", "datetime", "nothing"); "?" for 0
** or anything out of range.  The one table of type names. */
static inline const char *campValueTypeName(int t) {
  static const char *const names[TYPE_COUNT_] = {
    "?", "text", "int", "real", "bool", "datetime", "email", "phone", "tags",
    "duration", "list", "any", "nothing",
  };
  return t > 0 && t < TYPE_COUNT_ ? names[t] : "?";
}

/* Run-time tags.  email and phone are VAL_TEXT; tags are VAL_TEXT holding
** comma-separated tags (",a,b," is never stored: plain "a,b"); a datetime is
** VAL_TIME in seconds since 1970-01-01T00:00:00Z; a duration is seconds
** (a month counts 30 days). */
typedef enum {
  VAL_NULL = 0, VAL_BOOL, VAL_INT, VAL_REAL, VAL_TEXT, VAL_TIME,
  VAL_DURATION, VAL_LIST
} ValueTag;

typedef struct Value Value;
struct Value {
  uint8_t tag;            /* a ValueTag */
  uint32_t len;           /* bytes of a VAL_TEXT, items of a VAL_LIST */
  union {
    int64_t i;            /* VAL_BOOL (0/1), VAL_INT, VAL_TIME, VAL_DURATION */
    double r;             /* VAL_REAL */
    const char *s;        /* VAL_TEXT: not NUL-terminated in general */
    const Value *items;   /* VAL_LIST */
  } u;
};

#endif
