/*
** runtime/report_html.h -- the report as one HTML page.
**
** Owns: turning the report's JSON document (store_report.c builds it; its
** shape is docs/report.schema.json) into one self-contained page: inline
** CSS and SVG charts, no script, nothing fetched.  Does not own: any
** number (every one shown is read from the document, so the page and
** `camp report --format json` cannot disagree), the database.
*/
#ifndef CAMP_REPORT_HTML_H
#define CAMP_REPORT_HTML_H

#include <jansson.h>
#include <stdio.h>

/* How the JSON report prints reals (rates have one decimal: 10 digits
** print 43.8, not 43.799999999999997); the page's data-value the same. */
#define CAMP_REPORT_JSON_REALS JSON_REAL_PRECISION(10)

/* Write report as an HTML page on out.  Every number shown carries its
** place in the JSON (data-json, a JSON Pointer) and its value as JSON
** prints it (data-value; empty for null), which is what the tests compare.
** Chart elements a test can count: rect.bar (per email or SMS activity,
** one per message count), circle.point (15 per series, processed and
** rejected), rect.funnel (enrolled, then each participant state).
** 0, or -1 when out of memory or out could not take it all. */
int campReportHtmlWrite(const json_t *report, FILE *out);

#endif
