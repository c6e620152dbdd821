/*
** cli/util.c -- argument helpers shared by the commands.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "cli/cli.h"
#include "compiler/diag.h"

int campCliUsage(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "camp %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

int campCliSetRoot(const char *cmd, Diags *d, const char *dir) {
  if (!dir) return 0;
  if (campDiagSetRoot(d, dir, 1) < 0)
    return campCliUsage(cmd, "--root '%s': %s", dir, errno == ENOTDIR ? "not a directory" : strerror(errno));
  return 0;
}

const char *campCliDbPath(const char *given) {
  if (!given) given = getenv("CAMP_DB");
  return given && *given ? given : "camp.db";
}

const char *campCliSecret(Engine *e) {
  const char *s = getenv("CAMP_SECRET");
  return s && *s ? s : campEngineSecret(e);
}

int campCliFormat(const char *cmd, const char *given, const char *const *names, ReportFormat *out) {
  int n = 0, known = 0;
  for (; names[n]; n++) known |= given && !strcmp(given, names[n]);
  if (given && !known) {
    char list[128] = "";
    for (int i = 0; i < n; i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    return campCliUsage(cmd, "unknown format '%s' (%s)", given, list);
  }
  *out = !given ? REPORT_TABLE : !strcmp(given, "json") ? REPORT_JSON : !strcmp(given, "csv") ? REPORT_CSV
       : !strcmp(given, "html") ? REPORT_HTML : REPORT_TABLE;
  return 0;
}
