"""tests/website/browser.py -- headless Chromium (through chromedriver and
tests/webdriver.py) walking the test website for tests/suite_website.sh
(standard library only; runs under /usr/bin/python3).

  browser.py DRIVERPORT STEP...

One browser session (one profile: cookies last from step to step) runs
each STEP in order:
  open:URL      load URL and wait until the page is complete
  click:ID      click the element with id ID (waits for a page it opens)
  title:TEXT    wait until the page's title is TEXT
After each step a JSON line: {"step", "url" (location.href), "title",
"cookies" (document.cookie), "jar" (each cookie of the page's site by name:
its domain, path, sameSite, secure, httpOnly and expiry), "now"}.  Every wait has a limit (60 s): a step that
never gets there prints {"step", "error"} and the rest are not run.
"""
import json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from webdriver import session

LIMIT = 60

def run(call, s, script, *args):
    return call("POST", s + "/execute/sync", {"script": script, "args": list(args)})

def until(what):
    end = time.time() + LIMIT
    while time.time() < end:
        try:
            if what():
                return True
        except Exception:
            pass
        time.sleep(0.05)
    return False

def main():
    port, steps = sys.argv[1], sys.argv[2:]
    with session(port) as (call, s):
        call("POST", s + "/timeouts", {"pageLoad": LIMIT * 1000, "script": LIMIT * 1000})
        for step in steps:
            kind, _, arg = step.partition(":")
            if kind == "open":
                call("POST", s + "/url", {"url": arg})
                ok = until(lambda: run(call, s, "return document.readyState") == "complete")
            elif kind == "click":
                el = call("POST", s + "/element", {"using": "css selector", "value": "#" + arg})
                call("POST", s + "/element/%s/click" % list(el.values())[0], {})
                ok = until(lambda: run(call, s, "return document.readyState") == "complete")
            elif kind == "title":
                ok = until(lambda: run(call, s, "return document.title") == arg)
            else:
                ok = False
            if not ok:
                print(json.dumps({"step": step, "error": "not done within %d s" % LIMIT}), flush=True)
                return 1
            state = run(call, s, "return [location.href, document.title, document.cookie]")
            jar = {c["name"]: {k: c.get(k) for k in ("domain", "path", "sameSite", "secure", "httpOnly", "expiry")}
                   for c in call("GET", s + "/cookie")}
            print(json.dumps({"step": step, "url": state[0], "title": state[1], "cookies": state[2], "jar": jar,
                              "now": int(time.time())}), flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
