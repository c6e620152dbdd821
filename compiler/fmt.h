/*
** compiler/fmt.h -- the canonical layout (`camp fmt`) and the workflow
** drawing (`camp graph`).
*/
#ifndef CAMP_FMT_H
#define CAMP_FMT_H

#include <stddef.h>
#include <stdio.h>
#include "compiler/ast.h"

/* Format source `file` whose parse tree is root; *out is malloc'd. */
int campFmtSource(Unit *u, uint32_t file, const Ast *root, char **out, size_t *outLen);

/* Graphviz DOT of every campaign of the unit's root file. */
void campGraphUnit(Unit *u, FILE *out);

#endif
