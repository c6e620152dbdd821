/*
** compiler/graph.h -- a campaign's workflow as Graphviz DOT (`camp graph`):
** from a file, or as deployed with its live numbers.
*/
#ifndef CAMP_GRAPH_H
#define CAMP_GRAPH_H

#include <stdint.h>
#include <stdio.h>
#include "compiler/ast.h"
#include "runtime/program.h"

/* Print one digraph of u's root file (u parsed by campParseUnit; names and
** types need not resolve): a cluster per campaign, a node per mailing, list
** and model, and edges from mailings and campaigns to the lists they use. */
void campGraphUnit(const Unit *u, FILE *out);

/* The numbers drawn beside one deployed activity (traces of non-test
** participants; the caller fills them from the store). */
typedef struct GraphCounts {
  int64_t waiting;                          /* scheduled, armed for an event or being sent */
  int64_t processed, rejected, canceled, error;
  int64_t sent, opened, clicked;            /* email and SMS only */
} GraphCounts;

/* What the store says of a deployed campaign. */
typedef struct GraphLive {
  const char *state;                        /* draft, running, stopped */
  int version;
  int64_t running, completed, left, unlinked;   /* participants */
  const GraphCounts *acts;                  /* per image activity index (p->nact entries) */
} GraphLive;

/* Print one digraph of campaign camp (or mailing) of a loaded image, with
** live's numbers on its nodes: the nodes and edges campGraphUnit draws for
** it, the lists it tests or fills (found in its code) and a mailing's list
** as nodes of their own, filters shown by where they are written (the image
** holds no source text). */
void campGraphProgram(const Program *p, uint32_t camp, const GraphLive *live, FILE *out);

#endif
