"""tests/report/compare.py -- the HTML report against the JSON one, for
tests/suite_report.sh (runs under /usr/bin/python3; standard library only).

  compare.py REPORT.html REPORT.json

Every element of the page with data-json (a JSON Pointer into the report)
must name a number the JSON has, carry it in data-value exactly as the JSON
prints it (empty for null) and, outside the charts, show it: an integer
with thousands separators, a rate as 43.8%, null as an en dash.  Every
number of the JSON the page promises to show must be there: the version;
per campaign its version, enrolled, unsubscribes, participants by state;
every count and rate of every activity; per split, if and A/B test node its
participants and per path its share, participants, sent, opened, clicked
and their rates (and an A/B variant's chosen); the clicks of the top 10 links; the
15 days' processed and rejected.  Prints one JSON object (what a browser
must count: bars, points, funnel rows; and how many numbers were checked)
and exits 0, or prints each mismatch on stderr and exits 1.
"""
import json, sys
from html.parser import HTMLParser

TOP_LINKS = 10
METRICS = ["sent", "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed"]
STEPS = ["scheduled", "processed", "rejected", "canceled", "error"]

class Numbers(HTMLParser):
    """(tag, class, pointer, data-value, shown text) of every element with data-json."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.open = [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-json" in a:
            self.open.append([tag, a.get("class", ""), a["data-json"], a.get("data-value"), ""])
            if tag in ("rect", "circle"):          # their text is a tooltip, not the number shown
                self.open[-1][4] = None
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.open and self.open[-1][0] == tag: self.found.append(self.open.pop())
    def handle_data(self, data):
        for o in self.open:
            if o[4] is not None: o[4] += data
    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag: self.found.append(self.open.pop())

def resolve(doc, pointer):
    for part in pointer.lstrip("/").split("/"):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc

def printed(v):
    """A value as the JSON prints it (reals with 10 digits) and as the page shows it."""
    if v is None: return "", "\u2013"
    if isinstance(v, bool): raise TypeError("a boolean is not a number")
    if isinstance(v, int): return str(v), "{:,}".format(v)
    text = "%.10g" % v                            # as jansson prints a real with 10 digits: 98.0, 43.8
    return (text if "." in text or "e" in text else text + ".0"), "%.1f%%" % v

def promised(report):
    want = {"/version"}
    for i, c in enumerate(report["campaigns"]):
        p = "/campaigns/%d/" % i
        want |= {p + "version", p + "enrolled", p + "unsubscribes"} | {p + "participants/" + s for s in c["participants"]}
        for j, a in enumerate(c["activities"]):
            keys = STEPS + (METRICS + [m + "_rate" for m in METRICS[1:]] if "sent" in a else [])
            want |= {"%sactivities/%d/%s" % (p, j, k) for k in keys}
        for j, b in enumerate(c.get("branches", [])):      # split, if and A/B test nodes: every path's numbers
            want.add("%sbranches/%d/participants" % (p, j))
            for k, path in enumerate(b["paths"]):
                keys = ["share", "participants", "sent", "opened", "clicked", "opened_rate", "clicked_rate"] + (["chosen"] if "chosen" in path else [])
                want |= {"%sbranches/%d/paths/%d/%s" % (p, j, k, key) for key in keys}
        want |= {"%slinks/%d/clicks" % (p, j) for j in range(min(TOP_LINKS, len(c["links"])))}
        want |= {"%sdays/%d/%s" % (p, d, k) for d in range(len(c["days"])) for k in ("processed", "rejected")}
    return want

def main(html_path, json_path):
    report = json.load(open(json_path))
    page = Numbers()
    page.feed(open(html_path, encoding="utf-8").read())
    page.close()
    bad = []
    for tag, cls, ptr, value, text in page.found:
        try:
            v = resolve(report, ptr)
            data, shown = printed(v)
        except (KeyError, IndexError, ValueError, TypeError) as e:
            bad.append("%s: not a number of the JSON (%s)" % (ptr, e)); continue
        if value != data:
            bad.append("%s: data-value %r, the JSON says %r" % (ptr, value, data))
        if text is not None and text.strip() != shown:
            bad.append("%s: shows %r, the JSON says %r" % (ptr, text.strip(), shown))
    missing = promised(report) - {f[2] for f in page.found}
    bad += ["%s: not on the page" % p for p in sorted(missing)]
    count = lambda tag, cls: sum(1 for f in page.found if f[0] == tag and cls in f[1].split())
    want = {"bars": sum(len(METRICS) for c in report["campaigns"] for a in c["activities"] if "sent" in a),
            "points": sum(2 * len(c["days"]) for c in report["campaigns"]),
            "funnel": sum(1 + len(c["participants"]) for c in report["campaigns"])}
    for k, tag, cls in (("bars", "rect", "bar"), ("points", "circle", "point"), ("funnel", "rect", "funnel")):
        if count(tag, cls) != want[k]:
            bad.append("%s: %d on the page, the JSON makes %d" % (k, count(tag, cls), want[k]))
    for b in bad:
        print(b, file=sys.stderr)
    want["numbers"] = len(page.found)
    print(json.dumps(want))
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
