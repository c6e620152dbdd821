/*
** compiler/fmt.h -- the canonical layout of .camp files (`camp fmt`).
*/
#ifndef CAMP_FMT_H
#define CAMP_FMT_H

#include <stddef.h>
#include "compiler/ast.h"

/* Format source `file` of u, whose parse tree (campParseFile) is root.
** *out is malloc'd and ends with one newline (empty for an empty file).
** Returns 0, or -1 when root is NULL or the file does not lex (*out NULL). */
int campFmtSource(Unit *u, uint32_t file, const Ast *root, char **out, size_t *outLen);

/* Expression n as fmt prints it, on one line: comments and line breaks
** dropped (graph labels use it).  malloc'd, never NULL. */
char *campFmtExpr(const Unit *u, const Ast *n);

/* Expression n of template tpl, which campParseTemplate parsed from
** text[0..len) (NUL-terminated there) with tpl->off as its base, as
** campFmtExpr prints it (lexed as inside {{ }}).  malloc'd, never NULL. */
char *campFmtTemplateExpr(const Ast *tpl, const char *text, uint32_t len, const Ast *n);

#endif
