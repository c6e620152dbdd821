/*
** runtime/report_html.c -- the report as one HTML page a marketer forwards.
**
** Owns: the page's layout -- an overview of every campaign and mailing, then
** per campaign its state and version, the participant funnel, the message
** and step tables with rates, its split, if and A/B test nodes' paths, a bar chart of the message counts, a dated
** line chart of the last 15 days and the top clicked links; for an
** initiative (camp report --initiative) its own section first: members and
** totals, costs, and the series in its report scale, and its web numbers
** when its codes have hits; a website's report (camp report --website):
** its visits, visitors, page views, events, conversions and revenue, and
** their series -- its inline CSS
** (screen and print) and SVG.  No script, no external resource.  Does
** not own: the numbers (store_report.c puts them in the JSON document this
** file only reads), escaping (campVmEscapeOf, the templates' escaper).
**
** Every number shown is an element with data-json (its JSON Pointer in the
** report) and data-value (its value as the JSON prints it; empty for null,
** shown as an en dash): tests/report/compare.py holds the page to the JSON.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/report_html.h"
#include "runtime/vm.h"

/* The message counts of an email or SMS activity: the bars, the columns,
** their colours (the bar chart and its legend share them). */
static const struct { const char *key, *label, *colour; } METRICS[] = {
  { "sent", "sent", "#4e79a7" },          { "delivered", "delivered", "#76b7b2" }, { "opened", "opened", "#59a14f" },
  { "clicked", "clicked", "#edc948" },    { "replied", "replied", "#b07aa1" },     { "bounced", "bounced", "#e15759" },
  { "unsubscribed", "unsubscribed", "#9c755f" },
};
#define NMETRIC (sizeof METRICS / sizeof METRICS[0])
#define TOP_LINKS 10
#define CHART_W 1000.0            /* the charts' width in SVG units: about 1:1 on a desktop page */

static const char CSS[] =
  ":root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--accent:#2f6fab}"
  "*{box-sizing:border-box}"
  "body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
  "'Helvetica Neue',Arial,sans-serif}"
  "main{max-width:1120px;margin:0 auto;padding:24px 16px 48px}"
  "h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:0}h3{font-size:15px;margin:22px 0 8px;color:var(--muted);"
  "text-transform:uppercase;letter-spacing:.04em}"
  ".meta{color:var(--muted);margin:0 0 20px}"
  ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin:18px 0;"
  "box-shadow:0 1px 3px rgba(15,23,42,.06)}"
  ".card header{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 14px}"
  ".name{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}"
  ".badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:600;background:#e4e7eb;"
  "color:#323f4b}"
  ".state-running{background:#d5f5e3;color:#1e6b3a}.state-stopped{background:#fde2e1;color:#8a1c1c}"
  ".state-draft{background:#fff3c4;color:#7c5e10}.state-sent{background:#dbeafe;color:#1e40af}"
  ".wide{overflow-x:auto}"
  "table{border-collapse:collapse;width:100%;font-size:14px}"
  "th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}"
  "th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}"
  "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
  ".rate{display:block;color:var(--muted);font-size:12px}"
  "a{color:var(--accent)}td.url{word-break:break-all}"
  ".meter{display:block;height:6px;border-radius:3px;background:#4e79a7;margin-top:3px;min-width:1px}"
  "figure{margin:0;break-inside:avoid}"
  "svg{display:block;width:100%;height:auto;max-width:100%}"
  "svg text{font:11px system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;fill:#3e4c59}"
  "svg .grid{stroke:#e4e7eb;stroke-width:1}svg .axis{stroke:#9aa5b1;stroke-width:1}"
  "svg .line{fill:none;stroke-width:2.5}svg .processed{stroke:#2f6fab}svg .rejected{stroke:#d64545}"
  "svg circle.processed{fill:#2f6fab}svg circle.rejected{fill:#d64545}svg circle.point{stroke:#fff;stroke-width:1.5}"
  "svg rect.funnel{fill:#2f6fab}svg rect.funnel.state{fill:#7fa7cf}"
  ".legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:6px 0 0;font-size:13px;color:var(--muted)}"
  ".legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}"
  ".none{color:var(--muted);font-style:italic}"
  "footer{color:var(--muted);font-size:13px;margin-top:28px}"
  "@media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}"
  ".card{box-shadow:none;border-color:#bbb;break-inside:auto}h3{break-after:avoid}a{color:inherit;text-decoration:none}}"
  "@page{margin:12mm}";

/* -- text --------------------------------------------------------------- */

/* s escaped for HTML text or a quoted attribute (NULL: nothing). */
static void esc(Buf *b, const char *s) {
  for (; s && *s; s++) {
    const char *e = campVmEscapeOf(ESC_HTML, (unsigned char)*s);
    if (e) campBufPuts(b, e);
    else campBufPut(b, s, 1);
  }
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static json_int_t num(const json_t *o, const char *key) { return json_integer_value(json_object_get(o, key)); }

/* An integer with thousands separators: 12,345. */
static void grouped(Buf *b, json_int_t v) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%llu", v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
  if (v < 0) campBufPuts(b, "-");
  for (int i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) campBufPuts(b, ",");
    campBufPut(b, digits + i, 1);
  }
}

/* v as the JSON report prints it, null as nothing. */
static void jsonText(Buf *b, const json_t *v) {
  if (!v || json_is_null(v)) return;
  char *t = json_dumps(v, JSON_ENCODE_ANY | CAMP_REPORT_JSON_REALS);
  if (!t) { b->oom = 1; return; }
  campBufPuts(b, t);
  free(t);
}

/* <tag class="cls" data-json="ptr" data-value="v">shown</tag>: an integer
** grouped, a rate as 43.8%, null as an en dash.  ptr is printf'd from fmt. */
static void number(Buf *b, const char *tag, const char *cls, const json_t *v, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
static void number(Buf *b, const char *tag, const char *cls, const json_t *v, const char *fmt, ...) {
  char ptr[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ptr, sizeof ptr, fmt, ap);
  va_end(ap);
  campBufPrintf(b, "<%s class=\"%s\" data-json=\"%s\" data-value=\"", tag, cls, ptr);
  jsonText(b, v);
  campBufPuts(b, "\">");
  if (json_is_integer(v)) grouped(b, json_integer_value(v));
  else if (json_is_real(v)) campBufPrintf(b, "%.1f%%", json_real_value(v));
  else campBufPuts(b, "\xe2\x80\x93");
  campBufPrintf(b, "</%s>", tag);
}

/* -- charts ---------------------------------------------------------------- */

/* A round top for an axis showing 0..max in about four steps: *step gets
** the step (1, 2 or 5 times a power of ten, at least 1). */
static double niceTop(double max, double *step) {
  if (max <= 0) { *step = 1; return 4; }
  double raw = max / 4, mag = pow(10, floor(log10(raw))), f = raw / mag;
  *step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  if (*step < 1) *step = 1;
  return ceil(max / *step) * *step;
}

/* Horizontal grid lines and their labels for 0..top, plot from y0 (bottom)
** up to y1, x from x0 to x1. */
static void grid(Buf *b, double top, double step, double x0, double x1, double y0, double y1) {
  for (double v = 0; v <= top + step / 2; v += step) {
    double y = y0 - (y0 - y1) * v / top;
    campBufPrintf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x0, y, x1, y);
    campBufPrintf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>", x0 - 6, y + 4, v);
  }
  campBufPrintf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x0, y0, x1, y0);
}

static void legend(Buf *b, const char *const *labels, const char *const *colours, size_t n) {
  campBufPuts(b, "<ul class=\"legend\">");
  for (size_t i = 0; i < n; i++) campBufPrintf(b, "<li><i style=\"background:%s\"></i>%s</li>", colours[i], labels[i]);
  campBufPuts(b, "</ul>");
}

/* The funnel: enrolled, then each participant state, as bars of enrolled. */
static void funnel(Buf *b, const json_t *c, size_t ci) {
  const json_t *parts = json_object_get(c, "participants");
  double enrolled = (double)num(c, "enrolled"), w = CHART_W, left = 120, right = 80, row = 30;
  size_t rows = 1 + json_object_size(parts);
  campBufPrintf(b, "<figure><svg class=\"chart funnel\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"participants\">",
                w, rows * row + 4);
  const char *state;
  const json_t *v;
  size_t r = 0;
  campBufPrintf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">enrolled</text>", left - 10, row * 0.5 + 6);
  campBufPrintf(b, "<rect class=\"funnel\" data-json=\"/campaigns/%zu/enrolled\" data-value=\"%lld\" x=\"%.0f\" y=\"4\" "
                   "width=\"%.1f\" height=\"%.0f\" rx=\"3\"><title>enrolled: %lld</title></rect>",
                ci, (long long)enrolled, left, enrolled > 0 ? w - left - right : 0, row - 8, (long long)enrolled);
  campBufPrintf(b, "<text x=\"%.1f\" y=\"%.1f\">", (enrolled > 0 ? w - right : left) + 6, row * 0.5 + 6);
  grouped(b, (json_int_t)enrolled);
  campBufPuts(b, "</text>");
  json_object_foreach((json_t *)parts, state, v) {
    double y = (double)++r * row, n = (double)json_integer_value(v), bw = enrolled > 0 ? (w - left - right) * n / enrolled : 0;
    campBufPrintf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 10, y + row * 0.5 + 2);
    esc(b, state);
    campBufPrintf(b, "</text><rect class=\"funnel state\" data-json=\"/campaigns/%zu/participants/", ci);
    esc(b, state);
    campBufPrintf(b, "\" data-value=\"%lld\" x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" rx=\"3\"><title>",
                  (long long)n, left, y + 4, bw, row - 8);
    esc(b, state);
    campBufPrintf(b, ": %lld</title></rect><text x=\"%.1f\" y=\"%.1f\">", (long long)n, left + bw + 6, y + row * 0.5 + 2);
    grouped(b, (json_int_t)n);
    campBufPuts(b, "</text>");
  }
  campBufPuts(b, "</svg></figure>");
}

/* The bar chart of the message counts: a group of bars per email or SMS
** activity.  Nothing when the campaign sends no message. */
static void barChart(Buf *b, const json_t *acts, size_t ci) {
  size_t groups = 0, i;
  double max = 0;
  const json_t *a;
  json_array_foreach(acts, i, a) {
    if (!json_object_get(a, "sent")) continue;
    groups++;
    for (size_t m = 0; m < NMETRIC; m++) max = fmax(max, (double)num(a, METRICS[m].key));
  }
  if (!groups) { campBufPuts(b, "<p class=\"none\">No email or SMS activity.</p>"); return; }
  /* groups share the width; past what fits, the chart grows (and scales down) */
  double step, top = niceTop(max, &step), left = 52, base = 210, h = 250;
  double w = fmax(CHART_W, left + (double)groups * (NMETRIC * 9 + 30) + 12), gw = (w - left - 12) / (double)groups;
  double bw = fmin(24, (gw - 30) / NMETRIC - 3), x0 = (gw - NMETRIC * (bw + 3)) / 2;
  campBufPrintf(b, "<figure><svg class=\"chart bars\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"messages per activity\">", w, h);
  grid(b, top, step, left, w - 8, base, 14);
  size_t g = 0;
  json_array_foreach(acts, i, a) {
    if (!json_object_get(a, "sent")) continue;
    double x = left + x0 + (double)g++ * gw;
    for (size_t m = 0; m < NMETRIC; m++) {
      json_int_t v = num(a, METRICS[m].key);
      double bh = (base - 14) * (double)v / top;
      campBufPrintf(b, "<rect class=\"bar\" data-json=\"/campaigns/%zu/activities/%zu/%s\" data-value=\"%lld\" x=\"%.1f\" "
                       "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                    ci, i, METRICS[m].key, (long long)v, x + (double)m * (bw + 3), base - bh, bw, bh, METRICS[m].colour);
      esc(b, str(a, "name"));
      campBufPrintf(b, ": %s %lld</title></rect>", METRICS[m].label, (long long)v);
    }
    campBufPrintf(b, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", x + NMETRIC * (bw + 3) / 2, base + 18);
    esc(b, str(a, "name"));
    campBufPrintf(b, "</text><text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>", x + NMETRIC * (bw + 3) / 2, base + 32,
                  str(a, "kind"));
  }
  campBufPuts(b, "</svg>");
  const char *labels[NMETRIC], *colours[NMETRIC];
  for (size_t m = 0; m < NMETRIC; m++) { labels[m] = METRICS[m].label; colours[m] = METRICS[m].colour; }
  legend(b, labels, colours, NMETRIC);
  campBufPuts(b, "</figure>");
}

/* "2026-01-21" as "Jan 21". */
static void shortDate(Buf *b, const char *iso) {
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  int y, m, d;
  if (sscanf(iso, "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12) campBufPrintf(b, "%s %d", months[m - 1], d);
  else esc(b, iso);
}

/* The line chart of the last 15 days: processed and rejected, a point a
** day, dated. */
static void lineChart(Buf *b, const json_t *days, size_t ci) {
  static const char *const series[] = { "processed", "rejected" };
  size_t n = json_array_size(days), i;
  double max = 0;
  const json_t *d;
  json_array_foreach(days, i, d) max = fmax(max, fmax((double)num(d, "processed"), (double)num(d, "rejected")));
  double step, top = niceTop(max, &step), w = CHART_W, h = 260, left = 52, right = 24, base = 218;
  double dx = n > 1 ? (w - left - right) / (double)(n - 1) : 0;
  campBufPrintf(b, "<figure><svg class=\"chart days\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"last 15 days\">", w, h);
  grid(b, top, step, left, w - right, base, 14);
  json_array_foreach(days, i, d) {
    campBufPrintf(b, "<text class=\"date\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", left + dx * (double)i, base + 18);
    shortDate(b, str(d, "date"));
    campBufPuts(b, "</text>");
  }
  for (size_t s = 0; s < 2; s++) {
    campBufPrintf(b, "<polyline class=\"line %s\" points=\"", series[s]);
    json_array_foreach(days, i, d)
      campBufPrintf(b, "%s%.1f,%.1f", i ? " " : "", left + dx * (double)i, base - (base - 14) * (double)num(d, series[s]) / top);
    campBufPuts(b, "\"/>");
  }
  for (size_t s = 0; s < 2; s++) json_array_foreach(days, i, d) {
    json_int_t v = num(d, series[s]);
    campBufPrintf(b, "<circle class=\"point %s\" data-json=\"/campaigns/%zu/days/%zu/%s\" data-value=\"%lld\" cx=\"%.1f\" "
                     "cy=\"%.1f\" r=\"3.5\"><title>%s %s: %lld</title></circle>",
                  series[s], ci, i, series[s], (long long)v, left + dx * (double)i, base - (base - 14) * (double)v / top,
                  str(d, "date"), series[s], (long long)v);
  }
  campBufPuts(b, "</svg>");
  static const char *const colours[] = { "#2f6fab", "#d64545" };
  legend(b, series, colours, 2);
  campBufPuts(b, "</figure>");
}

/* -- tables ---------------------------------------------------------------- */

/* The email and SMS activities: each count with its rate of sent. */
static void messageTable(Buf *b, const json_t *acts, size_t ci) {
  size_t i;
  const json_t *a;
  int any = 0;
  json_array_foreach(acts, i, a) any |= json_object_get(a, "sent") != NULL;
  if (!any) return;
  campBufPuts(b, "<div class=\"wide\"><table class=\"messages\"><thead><tr><th>message</th><th>kind</th>");
  for (size_t m = 0; m < NMETRIC; m++) campBufPrintf(b, "<th class=\"num\">%s</th>", METRICS[m].label);
  campBufPuts(b, "</tr></thead><tbody>");
  json_array_foreach(acts, i, a) {
    if (!json_object_get(a, "sent")) continue;
    campBufPuts(b, "<tr><td>");
    esc(b, str(a, "name"));
    campBufPrintf(b, "</td><td>%s</td>", str(a, "kind"));
    for (size_t m = 0; m < NMETRIC; m++) {
      campBufPuts(b, "<td class=\"num\">");
      number(b, "span", "count", json_object_get(a, METRICS[m].key), "/campaigns/%zu/activities/%zu/%s", ci, i, METRICS[m].key);
      if (m) {                                   /* a rate of sent */
        char key[32];
        snprintf(key, sizeof key, "%s_rate", METRICS[m].key);
        number(b, "span", "rate", json_object_get(a, key), "/campaigns/%zu/activities/%zu/%s", ci, i, key);
      }
      campBufPuts(b, "</td>");
    }
    campBufPuts(b, "</tr>");
  }
  campBufPuts(b, "</tbody></table></div>");
}

/* Every activity's steps: waiting, processed, rejected, canceled, error. */
static void stepTable(Buf *b, const json_t *acts, size_t ci) {
  static const char *const keys[] = { "scheduled", "processed", "rejected", "canceled", "error" };
  campBufPuts(b, "<div class=\"wide\"><table class=\"steps\"><thead><tr><th>activity</th><th>kind</th>");
  for (size_t k = 0; k < 5; k++) campBufPrintf(b, "<th class=\"num\">%s</th>", keys[k]);
  campBufPuts(b, "</tr></thead><tbody>");
  size_t i;
  const json_t *a;
  json_array_foreach(acts, i, a) {
    campBufPuts(b, "<tr><td>");
    esc(b, str(a, "name"));
    campBufPrintf(b, "%s</td><td>%s</td>", json_is_false(json_object_get(a, "active")) ? " <span class=\"badge\">removed</span>" : "",
                  str(a, "kind"));
    for (size_t k = 0; k < 5; k++) number(b, "td", "num", json_object_get(a, keys[k]), "/campaigns/%zu/activities/%zu/%s", ci, i, keys[k]);
    campBufPuts(b, "</tr>");
  }
  if (!json_array_size(acts)) campBufPuts(b, "<tr><td colspan=\"7\" class=\"none\">No activity.</td></tr>");
  campBufPuts(b, "</tbody></table></div>");
}

/* The split, if and A/B test nodes: per node a row per path, side by
** side -- its share, participants, and its messages' sent, opened and
** clicked with their rates; an A/B test's variants also how many of the
** winner's emails sent each, and the winner. */
static void branchTables(Buf *b, const json_t *branches, size_t ci) {
  static const char *const keys[] = { "sent", "opened", "clicked" };
  size_t j, k;
  const json_t *n, *path;
  json_array_foreach(branches, j, n) {
    int test = !strcmp(str(n, "kind"), "test");
    const json_t *winner = json_object_get(n, "winner");
    campBufPuts(b, "<p>");
    campBufPuts(b, test ? "A/B test" : str(n, "kind"));
    campBufPuts(b, " <strong>");
    esc(b, str(n, "name"));
    campBufPuts(b, "</strong>: ");
    number(b, "strong", "count", json_object_get(n, "participants"), "/campaigns/%zu/branches/%zu/participants", ci, j);
    campBufPuts(b, " participants");
    if (test) {
      campBufPrintf(b, ", winner by %s: <strong>", str(n, "metric"));
      esc(b, json_is_string(winner) ? json_string_value(winner) : "not chosen yet");
      campBufPuts(b, "</strong>");
    }
    campBufPrintf(b, "</p><div class=\"wide\"><table class=\"branch\"><thead><tr><th>%s</th><th class=\"num\">share</th>"
                     "<th class=\"num\">participants</th>", test ? "variant" : "path");
    for (size_t m = 0; m < 3; m++) campBufPrintf(b, "<th class=\"num\">%s</th>", keys[m]);
    if (test) campBufPuts(b, "<th class=\"num\">sent by the winner</th>");
    campBufPuts(b, "</tr></thead><tbody>");
    json_array_foreach(json_object_get(n, "paths"), k, path) {
      campBufPuts(b, "<tr><td>");
      esc(b, str(path, "label"));
      campBufPuts(b, "</td>");
      number(b, "td", "num", json_object_get(path, "share"), "/campaigns/%zu/branches/%zu/paths/%zu/share", ci, j, k);
      number(b, "td", "num", json_object_get(path, "participants"), "/campaigns/%zu/branches/%zu/paths/%zu/participants", ci, j, k);
      for (size_t m = 0; m < 3; m++) {
        campBufPuts(b, "<td class=\"num\">");
        number(b, "span", "count", json_object_get(path, keys[m]), "/campaigns/%zu/branches/%zu/paths/%zu/%s", ci, j, k, keys[m]);
        if (m) {
          char key[32];
          snprintf(key, sizeof key, "%s_rate", keys[m]);
          number(b, "span", "rate", json_object_get(path, key), "/campaigns/%zu/branches/%zu/paths/%zu/%s", ci, j, k, key);
        }
        campBufPuts(b, "</td>");
      }
      if (test && json_object_get(path, "chosen"))
        number(b, "td", "num", json_object_get(path, "chosen"), "/campaigns/%zu/branches/%zu/paths/%zu/chosen", ci, j, k);
      else if (test) campBufPuts(b, "<td></td>");
      campBufPuts(b, "</tr>");
    }
    campBufPuts(b, "</tbody></table></div>");
  }
}

/* A URL a reader may follow: http(s) only, anything else stays text. */
static int followable(const char *u) { return !strncmp(u, "https://", 8) || !strncmp(u, "http://", 7); }

/* The most clicked links (the JSON has them all, most clicked first). */
static void linkTable(Buf *b, const json_t *links, size_t ci) {
  size_t n = json_array_size(links), i;
  if (!n) { campBufPuts(b, "<p class=\"none\">No click recorded.</p>"); return; }
  double most = (double)num(json_array_get(links, 0), "clicks");
  campBufPuts(b, "<div class=\"wide\"><table class=\"links\"><thead><tr><th class=\"num\">clicks</th><th>link</th></tr></thead><tbody>");
  const json_t *l;
  json_array_foreach(links, i, l) {
    if (i == TOP_LINKS) break;
    const char *url = str(l, "url");
    campBufPuts(b, "<tr>");
    number(b, "td", "num", json_object_get(l, "clicks"), "/campaigns/%zu/links/%zu/clicks", ci, i);
    campBufPuts(b, "<td class=\"url\">");
    if (followable(url)) {
      campBufPuts(b, "<a href=\"");
      esc(b, url);
      campBufPuts(b, "\" rel=\"noopener noreferrer\">");
    }
    esc(b, url);
    campBufPrintf(b, "%s<span class=\"meter\" style=\"width:%.1f%%\"></span></td></tr>", followable(url) ? "</a>" : "",
                  most > 0 ? 100.0 * (double)num(l, "clicks") / most : 0);
  }
  campBufPuts(b, "</tbody></table></div>");
  if (n > TOP_LINKS) campBufPrintf(b, "<p class=\"none\">and %zu more links (camp report --format json lists them all).</p>", n - TOP_LINKS);
}

/* The campaign's anchor: #c-NAME (names are identifiers; escaped anyway). */
static void anchor(Buf *b, const json_t *c) {
  campBufPuts(b, "c-");
  esc(b, str(c, "name"));
}

/* A table row's first cells: the campaign's title (its name when it has
** none) linking to its section, and its kind, left open after the kind. */
static void rowHead(Buf *b, const json_t *c) {
  const char *title = json_string_value(json_object_get(c, "title"));
  campBufPuts(b, "<tr><td><a href=\"#");
  anchor(b, c);
  campBufPuts(b, "\">");
  esc(b, title && *title ? title : str(c, "name"));
  campBufPuts(b, "</a></td><td>");
  esc(b, str(c, "kind"));
}

/* -- an initiative (camp report --initiative) ------------------------------------ */

/* The counts an initiative adds up (store_initiative.c), with the
** colours of the message metrics of the same name. */
static const char *const ICOUNTS[] = { "sent", "opened", "clicked", "replied", "bounced", "unsubscribed" };
#define NICOUNT (sizeof ICOUNTS / sizeof ICOUNTS[0])

static const char *colourOf(const char *key) {
  for (size_t m = 0; m < NMETRIC; m++) if (!strcmp(METRICS[m].key, key)) return METRICS[m].colour;
  return "#888";
}

/* A cost of the JSON (a real, or null) as "20.10 EUR" or "n/a". */
static void money(Buf *b, const json_t *in, const char *key) {
  const json_t *v = json_object_get(in, key);
  campBufPrintf(b, "<strong class=\"money\" data-money=\"%s\">", key);
  if (!json_is_real(v)) campBufPuts(b, "n/a");
  else {
    double c = json_real_value(v);
    campBufPrintf(b, (long long)(c * 10000.0 + 0.5) % 100 ? "%.4f " : "%.2f ", c);
    esc(b, str(in, "currency"));
  }
  campBufPuts(b, "</strong>");
}

/* "<h3>TITLE by SCALE, FROM to TO</h3>" for series s (its period when it
** has one). */
static void seriesHeading(Buf *b, const char *title, const json_t *s) {
  campBufPrintf(b, "<h3>%s by ", title);
  esc(b, str(s, "scale"));
  if (json_is_string(json_object_get(s, "from"))) {
    campBufPuts(b, ", ");
    esc(b, str(s, "from"));
    campBufPuts(b, " to ");
    esc(b, str(s, "to"));
  }
  campBufPuts(b, "</h3>");
}

/* A series' line chart: a line per key (class lineCls plus "-KEY", in its
** colour) over every bucket, the labels of about twelve buckets under it;
** the SVG has class "chart svgCls". */
static void lineSeries(Buf *b, const json_t *buckets, const char *const *keys, const char *const *colours, size_t nkey,
                       const char *svgCls, const char *lineCls) {
  size_t n = json_array_size(buckets), i;
  double max = 0;
  const json_t *d;
  json_array_foreach(buckets, i, d) for (size_t k = 0; k < nkey; k++) max = fmax(max, (double)num(d, keys[k]));
  double step, top = niceTop(max, &step), w = CHART_W, h = 260, left = 52, right = 24, base = 218;
  double dx = n > 1 ? (w - left - right) / (double)(n - 1) : 0, x0 = n > 1 ? left : (left + w - right) / 2;
  campBufPrintf(b, "<figure><svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"series\">", svgCls, w, h);
  grid(b, top, step, left, w - right, base, 14);
  size_t every = n > 12 ? (n + 11) / 12 : 1;
  json_array_foreach(buckets, i, d) {
    if (i % every) continue;
    campBufPrintf(b, "<text class=\"bucket\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">", x0 + dx * (double)i, base + 18,
                  n > 1 && i + every >= n ? "end" : i == 0 && n > 1 ? "start" : "middle");
    esc(b, str(d, "bucket"));
    campBufPuts(b, "</text>");
  }
  for (size_t k = 0; k < nkey; k++) {
    campBufPrintf(b, "<polyline class=\"line %s-%s\" stroke=\"%s\" points=\"", lineCls, keys[k], colours[k]);
    json_array_foreach(buckets, i, d)
      campBufPrintf(b, "%s%.1f,%.1f", i ? " " : "", x0 + dx * (double)i, base - (base - 14) * (double)num(d, keys[k]) / top);
    if (n == 1) campBufPrintf(b, " %.1f,%.1f", x0 + 1, base - (base - 14) * (double)num(json_array_get(buckets, 0), keys[k]) / top);
    campBufPrintf(b, "\"><title>%s</title></polyline>", keys[k]);
  }
  campBufPuts(b, "</svg>");
  legend(b, keys, colours, nkey);
  campBufPuts(b, "</figure>");
}

/* The initiative's series chart: a line per count. */
static void seriesChart(Buf *b, const json_t *buckets) {
  const char *colours[NICOUNT];
  for (size_t k = 0; k < NICOUNT; k++) colours[k] = colourOf(ICOUNTS[k]);
  lineSeries(b, buckets, ICOUNTS, colours, NICOUNT, "series", "s");
}

/* A series' table: the buckets that have anything, each key a number
** (its pointer: ptr + "/buckets/I/KEY"), or the line none. */
static void bucketTable(Buf *b, const json_t *buckets, const char *const *keys, size_t nkey, const char *ptr, const char *cls,
                        const char *none) {
  campBufPrintf(b, "<div class=\"wide\"><table class=\"%s\"><thead><tr><th>bucket</th>", cls);
  for (size_t k = 0; k < nkey; k++) campBufPrintf(b, "<th class=\"num\">%s</th>", keys[k]);
  campBufPuts(b, "</tr></thead><tbody>");
  size_t i, rows = 0;
  const json_t *d;
  json_array_foreach(buckets, i, d) {
    json_int_t any = 0;
    for (size_t k = 0; k < nkey; k++) any |= num(d, keys[k]);
    if (!any) continue;
    rows++;
    campBufPuts(b, "<tr><td>");
    esc(b, str(d, "bucket"));
    campBufPuts(b, "</td>");
    for (size_t k = 0; k < nkey; k++) number(b, "td", "num", json_object_get(d, keys[k]), "%s/buckets/%zu/%s", ptr, i, keys[k]);
    campBufPuts(b, "</tr>");
  }
  if (!rows) campBufPrintf(b, "<tr><td colspan=\"%zu\" class=\"none\">%s</td></tr>", nkey + 1, none);
  campBufPuts(b, "</tbody></table></div>");
}

/* The buckets of the series that have anything, each count a number. */
static void seriesTable(Buf *b, const json_t *buckets) {
  bucketTable(b, buckets, ICOUNTS, NICOUNT, "/initiative/series", "series", "Nothing sent yet.");
}

/* -- the web numbers (a website's report, an initiative's web section) -------------- */

static const char *const WCOUNTS[] = { "visits", "visitors", "page_views", "events", "conversions" };
static const char *const WCOLOURS[] = { "#4e79a7", "#b07aa1", "#59a14f", "#edc948", "#e15759" };
#define NWCOUNT (sizeof WCOUNTS / sizeof WCOUNTS[0])

/* An amount of the web numbers (a real) as "12.50 EUR", a ratio as a
** percentage, or "n/a"; data-money="web_KEY". */
static void webMoney(Buf *b, const json_t *web, const char *key, const char *currency, int percent) {
  const json_t *v = json_object_get(web, key);
  campBufPrintf(b, "<strong class=\"money\" data-money=\"web_%s\">", key);
  if (!json_is_real(v)) campBufPuts(b, "n/a");
  else if (percent) campBufPrintf(b, "%+.1f%%", json_real_value(v) * 100.0);
  else {
    double c = json_real_value(v);
    campBufPrintf(b, (long long)(fabs(c) * 10000.0 + 0.5) % 100 ? "%.4f" : "%.2f", c);
    if (currency && *currency) { campBufPuts(b, " "); esc(b, currency); }
  }
  campBufPuts(b, "</strong>");
}

/* The web numbers of web (its JSON Pointer ptr): the totals, the events by
** name, the series' chart (when it has a bucket) and table; with costs (an
** initiative's) the cost per visit and per conversion and the return. */
static void webSection(Buf *b, const json_t *web, const char *ptr, const char *currency, int costs) {
  static const char *const TOTALS[] = { "visits", "unique_visitors", "page_views", "events", "conversions", "bot_visits" };
  static const char *const LABELS[] = { "visits", "unique visitors", "page views", "events", "conversions", "bots' visits (not counted)" };
  campBufPuts(b, "<div class=\"wide\"><table class=\"web\"><tbody>");
  for (size_t k = 0; k < sizeof TOTALS / sizeof TOTALS[0]; k++) {
    campBufPrintf(b, "<tr><th>%s</th>", LABELS[k]);
    number(b, "td", "num", json_object_get(web, TOTALS[k]), "%s/%s", ptr, TOTALS[k]);
    campBufPuts(b, "</tr>");
  }
  campBufPuts(b, "</tbody></table></div><p>Revenue (the conversions' value): ");
  webMoney(b, web, "revenue", currency, 0);
  if (costs) {
    campBufPuts(b, "; cost per visit: ");
    webMoney(b, web, "cost_per_visit", currency, 0);
    campBufPuts(b, "; cost per conversion: ");
    webMoney(b, web, "cost_per_conversion", currency, 0);
    campBufPuts(b, "; return: ");
    webMoney(b, web, "return", currency, 1);
  }
  campBufPuts(b, "</p><h3>Events by name</h3><div class=\"wide\"><table class=\"events\"><thead><tr><th>name</th>"
                 "<th class=\"num\">count</th><th class=\"num\">value</th></tr></thead><tbody>");
  size_t i;
  const json_t *o;
  json_array_foreach(json_object_get(web, "by_name"), i, o) {
    campBufPuts(b, "<tr><td>");
    esc(b, str(o, "name"));
    if (json_is_true(json_object_get(o, "goal"))) campBufPuts(b, " <span class=\"badge\">goal</span>");
    campBufPuts(b, "</td>");
    number(b, "td", "num", json_object_get(o, "count"), "%s/by_name/%zu/count", ptr, i);
    campBufPrintf(b, "<td class=\"num\">%.2f</td></tr>", json_real_value(json_object_get(o, "value")));
  }
  if (!json_array_size(json_object_get(web, "by_name"))) campBufPuts(b, "<tr><td colspan=\"3\" class=\"none\">No hit yet.</td></tr>");
  campBufPuts(b, "</tbody></table></div>");
  const json_t *s = json_object_get(web, "series");
  seriesHeading(b, "Web series", s);
  if (json_array_size(json_object_get(s, "buckets"))) lineSeries(b, json_object_get(s, "buckets"), WCOUNTS, WCOLOURS, NWCOUNT, "web", "w");
  char sp[96];
  snprintf(sp, sizeof sp, "%s/series", ptr);
  bucketTable(b, json_object_get(s, "buckets"), WCOUNTS, NWCOUNT, sp, "web-series", "No visit yet.");
}

/* A website's report: what it is, then its web numbers. */
static void websiteCard(Buf *b, const json_t *w) {
  campBufPuts(b, "<section class=\"card website\" id=\"website\"><header><h2>");
  esc(b, *str(w, "title") ? str(w, "title") : str(w, "name"));
  campBufPuts(b, "</h2><span class=\"name\">");
  esc(b, str(w, "name"));
  campBufPuts(b, "</span><span class=\"badge\">site_id ");
  esc(b, str(w, "site_id"));
  campBufPuts(b, "</span></header><p class=\"meta\">");
  esc(b, str(w, "url"));
  campBufPuts(b, ". Goals: ");
  size_t i;
  const json_t *g;
  json_array_foreach(json_object_get(w, "goals"), i, g) {
    if (i) campBufPuts(b, ", ");
    esc(b, json_string_value(g));
  }
  if (!json_array_size(json_object_get(w, "goals"))) campBufPuts(b, "none");
  campBufPuts(b, ". Bots' hits are not counted.</p>");
  webSection(b, json_object_get(w, "web"), "/website/web", NULL, 0);
  campBufPuts(b, "</section>\n");
}

/* The members with their counts, then the totals. */
static void memberTable(Buf *b, const json_t *in) {
  campBufPuts(b, "<div class=\"wide\"><table class=\"members\"><thead><tr><th>member</th><th>kind</th>");
  for (size_t k = 0; k < NICOUNT; k++) campBufPrintf(b, "<th class=\"num\">%s</th>", ICOUNTS[k]);
  campBufPuts(b, "</tr></thead><tbody>");
  size_t i;
  const json_t *m;
  json_array_foreach(json_object_get(in, "members"), i, m) {
    rowHead(b, m);
    campBufPuts(b, "</td>");
    for (size_t k = 0; k < NICOUNT; k++) number(b, "td", "num", json_object_get(m, ICOUNTS[k]), "/initiative/members/%zu/%s", i, ICOUNTS[k]);
    campBufPuts(b, "</tr>");
  }
  if (!json_array_size(json_object_get(in, "members")))
    campBufPrintf(b, "<tr><td colspan=\"%zu\" class=\"none\">No mailing or campaign belongs to it.</td></tr>", NICOUNT + 2);
  campBufPuts(b, "</tbody><tfoot><tr><th>total</th><th></th>");
  for (size_t k = 0; k < NICOUNT; k++)
    number(b, "td", "num", json_object_get(json_object_get(in, "totals"), ICOUNTS[k]), "/initiative/totals/%s", ICOUNTS[k]);
  campBufPuts(b, "</tr></tfoot></table></div>");
}

/* The initiative's own section: what it is, its members and totals, the
** costs, and the series in its report scale. */
static void initiativeCard(Buf *b, const json_t *in) {
  const json_t *s = json_object_get(in, "series"), *c;
  campBufPuts(b, "<section class=\"card initiative\" id=\"initiative\"><header><h2>");
  esc(b, str(in, "title"));
  campBufPuts(b, "</h2><span class=\"name\">");
  esc(b, str(in, "name"));
  campBufPuts(b, "</span><span class=\"badge\">code ");
  esc(b, str(in, "code"));
  campBufPuts(b, "</span>");
  size_t i;
  json_array_foreach(json_object_get(in, "codes"), i, c) {
    if (!json_is_string(json_object_get(c, "until"))) continue;
    campBufPuts(b, " <span class=\"badge\">was ");
    esc(b, str(c, "code"));
    campBufPuts(b, " until ");
    esc(b, str(c, "until"));
    campBufPuts(b, "</span>");
  }
  campBufPuts(b, "</header><p class=\"meta\">Period: ");
  esc(b, json_is_string(json_object_get(in, "start")) ? str(in, "start") : "open");
  campBufPuts(b, " \xe2\x80\x93 ");
  esc(b, json_is_string(json_object_get(in, "end")) ? str(in, "end") : "open");
  campBufPuts(b, ". Budget: ");
  if (json_is_real(json_object_get(in, "budget"))) {
    campBufPrintf(b, "<span class=\"money\" data-money=\"budget\">%.2f ", json_real_value(json_object_get(in, "budget")));
    esc(b, str(in, "currency"));
    campBufPuts(b, "</span>");
  } else campBufPuts(b, "none");
  campBufPuts(b, ". Report scale: ");
  esc(b, str(in, "scale"));
  campBufPuts(b, ".</p>");
  if (json_is_string(json_object_get(in, "description"))) {
    campBufPuts(b, "<p class=\"description\">");
    esc(b, str(in, "description"));
    campBufPuts(b, "</p>");
  }
  campBufPuts(b, "<h3>Members</h3>");
  memberTable(b, in);
  campBufPuts(b, "<p>Cost per send: ");
  money(b, in, "cost_per_send");
  campBufPuts(b, "; cost per click: ");
  money(b, in, "cost_per_click");
  campBufPuts(b, "</p>");
  seriesHeading(b, "Series", s);
  if (json_array_size(json_object_get(s, "buckets"))) seriesChart(b, json_object_get(s, "buckets"));
  seriesTable(b, json_object_get(s, "buckets"));
  const json_t *web = json_object_get(in, "web");
  if (num(web, "visits") || num(web, "bot_visits") || json_array_size(json_object_get(web, "by_name"))) {
    campBufPuts(b, "<h3>Web: the hits with its codes</h3>");
    webSection(b, web, "/initiative/web", str(in, "currency"), 1);
  }
  campBufPuts(b, "</section>\n");
}

/* -- the page ---------------------------------------------------------------- */

static void badges(Buf *b, const json_t *c, size_t ci) {
  const char *state = str(c, "state");
  campBufPuts(b, "<span class=\"badge state-");
  esc(b, state);
  campBufPuts(b, "\">");
  esc(b, state);
  campBufPuts(b, "</span> <span class=\"badge\">");
  esc(b, str(c, "kind"));
  campBufPrintf(b, "</span> <span class=\"badge\">version <span data-json=\"/campaigns/%zu/version\" data-value=\"%lld\">%lld</span></span>",
                ci, (long long)num(c, "version"), (long long)num(c, "version"));
  if (json_is_string(json_object_get(c, "at"))) {
    campBufPuts(b, " <span class=\"badge\">send time ");
    esc(b, str(c, "at"));
    campBufPuts(b, "</span>");
  }
  const char *sched = json_string_value(json_object_get(c, "schedule")), *sent = json_string_value(json_object_get(c, "sent_at"));
  if (sched && !strcmp(sched, "manual")) campBufPuts(b, " <span class=\"badge\">manual (camp send)</span>");
  if (sched) {
    campBufPuts(b, sent ? " <span class=\"badge\">sent " : " <span class=\"badge\">not sent");
    if (sent) esc(b, sent);
    campBufPuts(b, "</span>");
  }
}

/* One campaign or mailing. */
static void card(Buf *b, const json_t *c, size_t ci) {
  const char *title = json_string_value(json_object_get(c, "title"));
  campBufPuts(b, "<section class=\"card\" id=\"");
  anchor(b, c);
  campBufPuts(b, "\" data-kind=\"");
  esc(b, str(c, "kind"));
  campBufPuts(b, "\"><header><h2>");
  esc(b, title && *title ? title : str(c, "name"));
  campBufPuts(b, "</h2><span class=\"name\">");
  esc(b, str(c, "name"));
  campBufPuts(b, "</span>");
  badges(b, c, ci);
  campBufPuts(b, "</header><h3>Participants</h3>");
  funnel(b, c, ci);
  campBufPuts(b, "<p>Unsubscribed from its messages: ");
  number(b, "strong", "count", json_object_get(c, "unsubscribes"), "/campaigns/%zu/unsubscribes", ci);
  campBufPuts(b, "</p>");
  const json_t *acts = json_object_get(c, "activities");
  campBufPuts(b, "<h3>Messages</h3>");
  messageTable(b, acts, ci);
  barChart(b, acts, ci);
  campBufPuts(b, "<h3>Activities</h3>");
  stepTable(b, acts, ci);
  if (json_array_size(json_object_get(c, "branches"))) {
    campBufPuts(b, "<h3>Splits, conditions and A/B tests</h3>");
    branchTables(b, json_object_get(c, "branches"), ci);
  }
  campBufPuts(b, "<h3>Last 15 days: processed and rejected</h3>");
  lineChart(b, json_object_get(c, "days"), ci);
  campBufPuts(b, "<h3>Top clicked links</h3>");
  linkTable(b, json_object_get(c, "links"), ci);
  campBufPuts(b, "</section>");
}

/* The overview: a row per campaign and mailing, linking to its card. */
static void overview(Buf *b, const json_t *camps) {
  campBufPuts(b, "<section class=\"card\"><h2>Overview</h2><div class=\"wide\"><table class=\"overview\"><thead><tr><th>name</th>"
                 "<th>kind</th><th>state</th><th class=\"num\">version</th><th class=\"num\">enrolled</th>"
                 "<th class=\"num\">unsubscribed</th></tr></thead><tbody>");
  size_t i;
  const json_t *c;
  json_array_foreach(camps, i, c) {
    rowHead(b, c);
    campBufPuts(b, "</td><td>");
    esc(b, str(c, "state"));
    campBufPuts(b, "</td>");
    number(b, "td", "num", json_object_get(c, "version"), "/campaigns/%zu/version", i);
    number(b, "td", "num", json_object_get(c, "enrolled"), "/campaigns/%zu/enrolled", i);
    number(b, "td", "num", json_object_get(c, "unsubscribes"), "/campaigns/%zu/unsubscribes", i);
    campBufPuts(b, "</tr>");
  }
  campBufPuts(b, "</tbody></table></div></section>");
}

int campReportHtmlWrite(const json_t *report, FILE *out) {
  Buf b = { 0 };
  const json_t *camps = json_object_get(report, "campaigns"), *in = json_object_get(report, "initiative");
  const json_t *site = json_object_get(report, "website");
  campBufPuts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>camp report, ");
  if (in) { esc(&b, str(in, "title")); campBufPuts(&b, ", "); }
  if (site) { esc(&b, str(site, "name")); campBufPuts(&b, ", "); }
  esc(&b, str(report, "at"));
  campBufPrintf(&b, "</title><style>%s</style></head><body><main><h1>%s report</h1><p class=\"meta\">", CSS,
                in ? "Initiative" : site ? "Website" : "Campaign");
  campBufPrintf(&b, "At %s on the database's %s clock; the last 15 days end on that day. Report format version "
                    "<span data-json=\"/version\" data-value=\"%lld\">%lld</span>.</p>\n",
                str(report, "at"), str(report, "clock"), (long long)num(report, "version"), (long long)num(report, "version"));
  if (in) initiativeCard(&b, in);
  if (site) websiteCard(&b, site);
  if (!json_array_size(camps)) {
    if (!in && !site) campBufPuts(&b, "<section class=\"card\"><p class=\"none\">No campaign or mailing is deployed.</p></section>");
  } else overview(&b, camps);
  size_t i;
  const json_t *c;
  json_array_foreach(camps, i, c) { card(&b, c, i); campBufPuts(&b, "\n"); }
  campBufPuts(&b, "<footer>Made by camp report --format html: every number is the one camp report --format json gives; "
                  "docs/report.md says what each means. Rates are of messages sent; a dash is a rate of nothing sent.</footer>"
                  "</main></body></html>\n");
  int rc = b.oom || fwrite(b.p, 1, b.n, out) != b.n ? -1 : 0;
  campBufFree(&b);
  return rc;
}
