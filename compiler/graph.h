/*
** compiler/graph.h -- a campaign's workflow as Graphviz DOT (`camp graph`).
*/
#ifndef CAMP_GRAPH_H
#define CAMP_GRAPH_H

#include <stdio.h>
#include "compiler/ast.h"

/* Print one digraph with a cluster per campaign of u's root file (u parsed
** by campParseUnit; names and types need not resolve). */
void campGraphUnit(const Unit *u, FILE *out);

#endif
