"""tests/report/browser.py -- headless Chromium (through chromedriver) looks at
a page for tests/suite_report.sh (runs under /usr/bin/python3; standard
library only).

  browser.py DRIVERPORT URL [SCREENSHOT.png]

Loads URL and prints one JSON object: the console's errors (severity SEVERE:
a script error, a resource that failed to load), how many rect.bar,
circle.point, rect.funnel and svg elements the rendered page holds, the
page's height, and its render time in ms (navigation start to the end of
the load event, and to the first contentful paint, as the browser measured
them).  With SCREENSHOT, the whole page (1280 px wide) is saved there as PNG.
The driver runs scripts to ask; the page itself needs none.
"""
import base64, json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from webdriver import session

def main(port, url, shot=None):
    with session(port, ["--window-size=1280,900"], {"goog:loggingPrefs": {"browser": "ALL"}}, timeout=120) as (call, s):
        t0 = time.time()
        call("POST", s + "/url", {"url": url})
        wall = (time.time() - t0) * 1000
        def js(script):
            return call("POST", s + "/execute/sync", {"script": script, "args": []})
        out = {name: js("return document.querySelectorAll(%s).length" % json.dumps(sel))
               for name, sel in (("bars", "svg rect.bar"), ("points", "svg circle.point"), ("funnel", "svg rect.funnel"),
                                 ("svgs", "svg"), ("scripts", "script"))}
        out["load_ms"] = round(js("var n = performance.getEntriesByType('navigation')[0]; return n ? n.loadEventEnd : -1"), 1)
        out["paint_ms"] = round(js("var p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : -1"), 1)
        out["wall_ms"] = round(wall, 1)
        out["height"] = js("return document.documentElement.scrollHeight")
        out["errors"] = [e["message"] for e in call("POST", s + "/se/log", {"type": "browser"}) if e.get("level") == "SEVERE"]
        if shot:
            call("POST", s + "/window/rect", {"width": 1280, "height": min(int(out["height"]) + 140, 20000)})
            with open(shot, "wb") as f:
                f.write(base64.b64decode(call("GET", s + "/screenshot")))
        print(json.dumps(out))

if __name__ == "__main__":
    main(*sys.argv[1:])
