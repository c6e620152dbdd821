/*
** cli/args.c -- one command line parser and one help layout for every
** command.
**
** Owns: the command table (cli/commands.def), parsing argv against a
** command's option table with getopt_long, the messages for unknown
** options and missing values (they list the valid options), the help
** text's layout, and whether to colour.  Does not own: what any option
** means (the command's file).
*/
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

static const struct { const char *name; int letter; const char *value, *help; } catalogue[CLI_NOPT] = {
#define OPTION(id, name, letter, value, help) [O_##id] = { name, letter, value, help },
#include "cli/options.def"
#undef OPTION
};

const CliSpec *const campCliCommands[] = {
#define COMMAND(spec) &spec,
#include "cli/commands.def"
#undef COMMAND
};
const size_t campCliNCommands = sizeof campCliCommands / sizeof campCliCommands[0];

const CliSpec *campCliFind(const char *name) {
  for (size_t i = 0; i < campCliNCommands; i++)
    if (!strcmp(campCliCommands[i]->name, name)) return campCliCommands[i];
  return NULL;
}

/* The options spec accepts, --help and --color included, in table order;
** *n gets their count (at most CLI_NOPT). */
static size_t optionsOf(const CliSpec *spec, CliOptUse *out) {
  size_t n = 0;
  int seen[CLI_NOPT] = { 0 };
  for (const CliOptUse *u = spec->opts; u && u->id != CLI_NOPT; u++)
    if (!seen[u->id]) { seen[u->id] = 1; out[n++] = *u; }
  if (!seen[O_COLOR]) out[n++] = (CliOptUse){ O_COLOR, NULL };
  if (!seen[O_HELP]) out[n++] = (CliOptUse){ O_HELP, NULL };
  return n;
}

size_t campCliOptions(const CliSpec *spec, CliOptUse *out) { return optionsOf(spec, out); }

void campCliOptionInfo(CliOptId id, const char **name, const char **value, const char **help) {
  *name = catalogue[id].name;
  *value = catalogue[id].value;
  *help = catalogue[id].help;
}

/* "--db, --until, … or --help": the valid options, for a usage message. */
static void listOptions(const CliOptUse *use, size_t n) {
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "%s--%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", catalogue[use[i].id].name);
}

static int unknownOption(const CliSpec *spec, const char *arg, const CliOptUse *use, size_t n) {
  fprintf(stderr, "camp %s: unknown option '%s' (valid: ", spec->name, arg);
  listOptions(use, n);
  fprintf(stderr, "; camp %s --help)\n", spec->name);
  return 2;
}

int campCliParse(const CliSpec *spec, int argc, char **argv, CliArgs *a) {
  CliOptUse use[CLI_NOPT];
  size_t n = optionsOf(spec, use);
  struct option longs[CLI_NOPT + 1];
  char shorts[2 * CLI_NOPT + 3] = ":";           /* ':' reports a missing value */
  size_t ns = 1;
  for (size_t i = 0; i < n; i++) {
    int id = use[i].id, takes = catalogue[id].value != NULL;
    longs[i] = (struct option){ catalogue[id].name, takes ? required_argument : no_argument, NULL, 256 + id };
    if (catalogue[id].letter) { shorts[ns++] = (char)catalogue[id].letter; if (takes) shorts[ns++] = ':'; }
  }
  longs[n] = (struct option){ 0 };
  shorts[ns] = 0;
  memset(a, 0, sizeof *a);
  a->cmd = spec->name;
  opterr = 0;
  optind = 0;                                    /* GNU: start afresh */
  int c, li;
  while ((c = getopt_long(argc, argv, shorts, longs, &li)) != -1) {
    const char *bad = argv[optind - 1];
    if (c == ':') {
      int id = optopt >= 256 ? optopt - 256 : -1;
      for (size_t i = 0; id < 0 && i < n; i++) if (catalogue[use[i].id].letter == optopt) id = use[i].id;
      return campCliUsage(spec->name, "option '%s' needs a value (%s)", bad, id >= 0 ? catalogue[id].value : "?");
    }
    if (c == '?') {
      if (optopt >= 256)
        return campCliUsage(spec->name, "option '--%s' takes no value", catalogue[optopt - 256].name);
      if (optopt) { char s[3] = { '-', (char)optopt, 0 }; return unknownOption(spec, s, use, n); }
      return unknownOption(spec, bad, use, n);
    }
    int id = c >= 256 ? c - 256 : -1;
    for (size_t i = 0; id < 0 && i < n; i++) if (catalogue[use[i].id].letter == c) id = use[i].id;
    if (id < 0) return unknownOption(spec, bad, use, n);
    a->opt[id] = optarg ? optarg : "";
  }
  if (a->opt[O_HELP]) { campCliHelp(spec, stdout); return 1; }
  const char *w = a->opt[O_COLOR];
  if (w && strcmp(w, "auto") && strcmp(w, "always") && strcmp(w, "never"))
    return campCliUsage(spec->name, "--color '%s': give auto, always or never", w);
  a->npos = argc - optind;
  a->pos = argv + optind;
  return 0;
}

int campCliColor(const CliArgs *a, FILE *out) {
  const char *w = a ? a->opt[O_COLOR] : NULL;
  if (w && !strcmp(w, "always")) return 1;
  if (w && !strcmp(w, "never")) return 0;
  const char *no = getenv("NO_COLOR");
  return !(no && *no) && isatty(fileno(out));
}

int campCliNumber(const CliArgs *a, CliOptId id, long lo, long hi, long *n) {
  const char *v = a->opt[id];
  if (!v) return 0;
  char *end;
  long k = strtol(v, &end, 10);
  if (end == v || *end || k < lo || k > hi)
    return campCliUsage(a->cmd, "--%s '%s': give a number from %ld to %ld", catalogue[id].name, v, lo, hi);
  *n = k;
  return 0;
}

/* Lines of "NAME\tmeaning", as a two-column block. */
static void printPairs(const char *text, FILE *out) {
  while (text && *text) {
    const char *nl = strchr(text, '\n'), *end = nl ? nl : text + strlen(text), *tab = memchr(text, '\t', (size_t)(end - text));
    if (tab) fprintf(out, "  %-22.*s %.*s\n", (int)(tab - text), text, (int)(end - tab - 1), tab + 1);
    else fprintf(out, "  %.*s\n", (int)(end - text), text);
    text = nl ? nl + 1 : end;
  }
}

/* Each line of text, indented by two spaces. */
static void printIndented(const char *text, FILE *out) {
  while (text && *text) {
    const char *nl = strchr(text, '\n');
    int len = nl ? (int)(nl - text) : (int)strlen(text);
    fprintf(out, "%s%.*s\n", len ? "  " : "", len, text);
    text = nl ? nl + 1 : text + len;
  }
}

static void printOption(const CliOptUse *u, FILE *out) {
  char left[64];
  int id = u->id, letter = catalogue[id].letter;
  const char *v = catalogue[id].value;
  if (letter) snprintf(left, sizeof left, "-%c, --%s%s%s", letter, catalogue[id].name, v ? " " : "", v ? v : "");
  else snprintf(left, sizeof left, "--%s%s%s", catalogue[id].name, v ? " " : "", v ? v : "");
  fprintf(out, "  %-26s %s\n", left, u->help ? u->help : catalogue[id].help);
}

void campCliHelp(const CliSpec *spec, FILE *out) {
  const char *syn = spec->synopsis;
  fprintf(out, "usage: ");
  while (syn && *syn) {
    const char *nl = strchr(syn, '\n');
    int len = nl ? (int)(nl - syn) : (int)strlen(syn);
    fprintf(out, "%.*s\n", len, syn);
    syn = nl ? nl + 1 : syn + len;
    if (*syn) fprintf(out, "       ");
  }
  fprintf(out, "\n%c%s.\n", toupper((unsigned char)spec->summary[0]), spec->summary + 1);
  if (spec->description) { fputc('\n', out); printIndented(spec->description, out); }
  CliOptUse use[CLI_NOPT];
  size_t n = optionsOf(spec, use);
  int db = 0;
  fprintf(out, "\noptions:\n");
  for (size_t i = 0; i < n; i++) { printOption(&use[i], out); db |= use[i].id == O_DB; }
  fprintf(out, "\nenvironment:\n");
  if (db) printPairs("CAMP_DB\tthe database when --db is not given", out);
  printPairs(spec->env, out);
  printPairs("NO_COLOR\twhen set and not empty, no colour unless --color=always", out);
  if (spec->example) { fprintf(out, "\nexample:\n"); printIndented(spec->example, out); }
  fprintf(out, "\nexit status:\n");
  printPairs(spec->exits ? spec->exits : "0\tdone\n1\tit failed (the message says why)\n2\tusage error", out);
}
