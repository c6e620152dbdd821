/*
** cli/help.c -- `camp help [COMMAND]` and `camp version`.
**
** Owns: the list of commands, and the version line with the versions of
** the libraries camp is linked with (read from the libraries at run time,
** not from their headers, so it says what actually runs).
*/
#include <curl/curl.h>
#include <git2.h>
#include <glib.h>
#include <gmime/gmime.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

#ifndef CAMP_VERSION
#define CAMP_VERSION "0.0.0-dev"
#endif

void campHelpList(FILE *out) {
  int w = 0;                                   /* the longest name sets the column */
  for (size_t i = 0; i < campCliNCommands; i++)
    if (!campCliCommands[i]->hidden && (int)strlen(campCliCommands[i]->name) > w) w = (int)strlen(campCliCommands[i]->name);
  fputs("usage: camp COMMAND [OPTIONS] [ARGS]\n\ncommands:\n", out);
  for (size_t i = 0; i < campCliNCommands; i++)
    if (!campCliCommands[i]->hidden) fprintf(out, "  %-*s %s\n", w, campCliCommands[i]->name, campCliCommands[i]->summary);
  fputs("\ncamp help COMMAND (or camp COMMAND --help) shows a command's options; man camp has them all.\n"
        "camp --version shows the version and the libraries camp uses.\n", out);
}

static int help(const CliArgs *a) {
  if (a->npos > 1) return campCliUsage(a->cmd, "one command at a time (camp help COMMAND)");
  if (!a->npos) { campHelpList(stdout); return 0; }
  const CliSpec *c = campCliFind(a->pos[0]);
  if (!c) return campCliUsage(a->cmd, "unknown command '%s' (camp help lists them)", a->pos[0]);
  campCliHelp(c, stdout);
  return 0;
}

const CliSpec campCmdHelp = {
  "help", "show the commands, or one command's options, environment, example and exit status", help,
  "camp help [COMMAND]", NULL, NULL, NULL, "camp help run",
  "0\thelp was shown\n2\tunknown command", 0,
};

static int version(const CliArgs *a) {
  if (a->npos) return campCliUsage(a->cmd, "takes no arguments");
  int xml = atoi(xmlParserVersion);
  printf("camp %s\n", CAMP_VERSION);
  printf("  %s\n", campStoreEngineVersion());
  printf("  libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
  printf("  libmicrohttpd %s\n", MHD_get_version());
  printf("  jansson %s\n", jansson_version_str());
  printf("  %s\n", OpenSSL_version(OPENSSL_VERSION));
  printf("  GMime %u.%u.%u\n", gmime_major_version, gmime_minor_version, gmime_micro_version);
  printf("  GLib %u.%u.%u\n", glib_major_version, glib_minor_version, glib_micro_version);
  printf("  libxml2 %d.%d.%d\n", xml / 10000, xml / 100 % 100, xml % 100);
  int gmaj = 0, gmin = 0, grev = 0;
  git_libgit2_version(&gmaj, &gmin, &grev);
  printf("  libgit2 %d.%d.%d\n", gmaj, gmin, grev);
  return 0;
}

const CliSpec campCmdVersion = {
  "version", "show camp's version and the versions of the libraries it runs with", version,
  "camp version\ncamp --version", NULL, NULL, NULL, "camp version", "0\tshown", 0,
};
