/*
** compiler/compile.h -- the compiler's front door.
**
** Owns: the sequence parse -> resolve -> codegen for one root file, as the
** commands use it.  Does not own: any stage.
*/
#ifndef CAMP_COMPILE_H
#define CAMP_COMPILE_H

#include <stddef.h>
#include <stdint.h>
#include "compiler/ast.h"

/* Resolve names and types of everything in u->files and run every lint
** rule; reports to u->diags.  Returns the number of errors it reported. */
int campResolveUnit(Unit *u);

/* Generate the image of a resolved unit without errors: models and lists of
** every file, campaigns and mailings of the root file.  *out is malloc'd.
** Returns 0, or -1 with a message in err. */
int campCodegenUnit(Unit *u, uint8_t **out, size_t *outLen, char *err, size_t errSize);

/* Parse and resolve path into u (campUnitInit first).  Returns the number
** of errors, or -1 when the root file cannot be read (errno set). */
int campCompileCheck(Unit *u, const char *path);

#endif
