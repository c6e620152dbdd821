/*
** cli/cli.h -- what the command files share.
**
** Owns: the command table's types (CliSpec: one per command, with its
** option table and help), the parsed command line (CliArgs) and small
** helpers for arguments.  Only cli/ includes both compiler and runtime headers.
*/
#ifndef CAMP_CLI_H
#define CAMP_CLI_H

#include "runtime/engine.h"
#include "runtime/store.h"

#include <stdio.h>

/* Every option any command takes (cli/options.def): O_DB, O_UNTIL, ... */
typedef enum CliOptId {
#define OPTION(id, name, letter, value, help) O_##id,
#include "cli/options.def"
#undef OPTION
  CLI_NOPT
} CliOptId;

/* One option a command accepts; help NULL: the catalogue's text. */
typedef struct CliOptUse { CliOptId id; const char *help; } CliOptUse;

/* A command line parsed against its command's option table. */
typedef struct CliArgs {
  const char *cmd;                 /* the command's name */
  const char *opt[CLI_NOPT];       /* each option's value; a flag given: "" */
  int npos;                        /* the operands, in order */
  char **pos;
} CliArgs;

/* One command: its option table and its help.  Text fields are plain
** lines; env and exits hold "NAME\tmeaning" lines.  Options O_HELP and
** O_COLOR are every command's and need not be listed; $CAMP_DB is listed
** with --db and $NO_COLOR with --color automatically. */
typedef struct CliSpec {
  const char *name, *summary;
  int (*run)(const CliArgs *a);
  const char *synopsis;            /* lines after "usage: " */
  const char *description;         /* a paragraph or two; may be NULL */
  const CliOptUse *opts;           /* ends with { CLI_NOPT, NULL } */
  const char *env, *example, *exits;
  int hidden;                      /* left out of `camp help`'s list */
} CliSpec;

/* The commands, in cli/commands.def's order. */
#define COMMAND(spec) extern const CliSpec spec;
#include "cli/commands.def"
#undef COMMAND
extern const CliSpec *const campCliCommands[];
extern const size_t campCliNCommands;

/* `camp help`: the commands and their summaries. */
void campHelpList(FILE *out);

/* The command named name, or NULL. */
const CliSpec *campCliFind(const char *name);

/* Parse argv (argv[0]: the command's name) against spec: long options as
** --name VALUE or --name=VALUE, short ones as -o VALUE or -oVALUE, "--"
** ends options, options and operands in any order.  Returns 0 with *a
** filled (a->pos points into argv), 1 when --help was given (the help is
** printed: exit 0), or 2 after a usage message naming the valid options. */
int campCliParse(const CliSpec *spec, int argc, char **argv, CliArgs *a);

/* The options spec accepts, --color and --help included, in table order,
** into out (room for CLI_NOPT); returns their count.  For completion. */
size_t campCliOptions(const CliSpec *spec, CliOptUse *out);

/* Option id's long name, its value's name (NULL: a flag) and its help. */
void campCliOptionInfo(CliOptId id, const char **name, const char **value, const char **help);

/* Print spec's help: synopsis, description, options, environment,
** example and exit status. */
void campCliHelp(const CliSpec *spec, FILE *out);

/* Colour on stream out (stdout or stderr) under --color and $NO_COLOR:
** always, never, or (auto) when out is a terminal and $NO_COLOR is unset. */
int campCliColor(const CliArgs *a, FILE *out);

/* A number option from lo to hi; *n unchanged when the option is absent.
** 0, or 2 after "--name 'x': give a number from lo to hi". */
int campCliNumber(const CliArgs *a, CliOptId id, long lo, long hi, long *n);

/* Print "camp CMD: msg" to stderr; returns 2 (the usage / I/O exit code). */
int campCliUsage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The database a command opens: given (--db) unless NULL, else $CAMP_DB,
** else camp.db in the current directory (an empty value counts as unset).
** The one place that reads $CAMP_DB. */
const char *campCliDbPath(const char *given);

/* --format: given (NULL: the first of names) must be one of names, a
** NULL-ended list whose first is the table (or text) layout; *out gets its
** ReportFormat.  0, or 2 after "unknown format 'x' (a, b or c)". */
int campCliFormat(const char *cmd, const char *given, const char *const *names, ReportFormat *out);

/* The key that signs tracking tokens: $CAMP_SECRET when set, else the
** database's own secret (made by camp init and kept in the database).
** There is no built-in default. */
const char *campCliSecret(Engine *e);

#include <stddef.h>
#include <stdint.h>

/* The channels of a run from --mail, --sms (with --mail-connections and
** --sms-connections, checked before), --base-url and the token key into
** *r (cli/db.c); no channel unless given.  0, or -1 with the message in
** err.  The caller closes r->mail and r->sms (campChanClose). */
struct RunOptions;
/* camp init --sender: value checked as `from` is, then stored as the
** default sender (cli/send.c).  0, or -1 with the message in err. */
int campSendSetSender(Engine *e, const char *value, char *err, size_t errSize);
/* camp init --timezone: zone checked (GLib knows it), then stored as the
** database's zone (cli/send.c).  0, or -1 with the message in err. */
/* Why mailing name (m) cannot be sent by hand now, into err; NULL when it
** can (cli/send.c: camp send, and camp test's send step). */
struct StoreMailing;
const char *campSendRefusal(const char *name, const struct StoreMailing *m, char *err, size_t errSize);
int campSendSetZone(Engine *e, const char *zone, char *err, size_t errSize);
int campCliOpenChannels(Engine *e, const CliArgs *a, struct RunOptions *r, char *err, size_t errSize);

/* Group the pending website hits into visits in a transaction of their
** own (cli/visits.c), before anything reads visits.  0, or -1 with the
** message in err. */
int campVisitsGroup(Engine *e, char *err, size_t errSize);

/* Compile path to an image (*img malloc'd); diagnostics go to stderr.
** The project directory is a's --root, else the file's own.
** Returns 0, 1 (errors in the file) or 2 (cannot read it). */
int campCliCompileFile(const CliArgs *a, const char *path, uint8_t **img, size_t *len);
/* The same, and the source of its campaigns property by property appended
** to *src (compiler/source.h) for deploy and plan to keep and compare. */
int campCliCompileSource(const CliArgs *a, const char *path, uint8_t **img, size_t *len, DeploySource *src);

/* --root DIR: make dir the fixed project directory of d (the diagnostics
** and sources of a compilation).  Returns 0, or 2 after a usage message. */
struct Diags;
int campCliSetRoot(const char *cmd, struct Diags *d, const char *dir);

/* camp test --record: one record as a test participant of a deployed
** campaign on a live database (cli/db.c); the exit status. */
int campCliTestRecord(const CliArgs *a);

/* The records of list name that are its members now (as camp list show
** counts them), ids ascending (*ids malloc'd).  0, or -1 with the message
** in err (cli/list.c). */
int campCliListMembers(Engine *e, const char *name, int64_t **ids, size_t *n, char *err, size_t errSize);

/* A record's hit on the deployed website whose site_id is h->site, as
** camp event visit records it (cli/db.c): the URL's campaign code (else the
** website's), h->model NULL meaning the website's target (h->model is left
** pointing at model, a copy of the model's name), then stored,
** acted on (on visit, on no visit: *r, free it with campSchedVisitResultFree)
** and grouped into visits in one transaction.  0; 1 the record's model is
** not the website's (why in err); -1 nothing written (why in err). */
struct VisitResult;
int campCliVisit(Engine *e, WebHit *h, char *model, size_t modelSize, struct VisitResult *r, char *err, size_t errSize);

/* What camp list add, remove (verb "add", "remove": record id) and refresh
** do, for one record, in one transaction (cli/list.c).  0 done (or already
** so); 1 refused, the list's kind allows it not (why in err); -1 error. */
int campCliListChange(Engine *e, const char *list, const char *verb, int64_t id, char *err, size_t errSize);

/* Paths: a file, or every *.camp below a directory, sorted. */
typedef struct PathList { char **v; size_t n, cap; } PathList;
int campCliCollectCamp(const char *cmd, const char *path, PathList *out);

#endif
