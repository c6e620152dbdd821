"""tests/pgstore/prepare.py -- every SQL statement the store's C files spell
out, prepared on PostgreSQL and on SQLite (tests/suite_pgstore.sh; runs
under /usr/bin/python3, standard library only).

  prepare.py SQLITE_DB PSQL_COMMAND CC_COMMAND FILE.c...

Each FILE.c goes through the C preprocessor (so the Q_* macros are what
the statements say), and every run of adjacent string literals that
starts like a statement is one: PREPAREd on PostgreSQL (one psql session:
PSQL_COMMAND, a shell command that runs the script given by -f FILE) and EXPLAINed on
SQLite (SQLITE_DB, a database camp init made), its '?' and '?N' numbered
as runtime/store_db_pg.c numbers them.  Left out: pieces of SQL built at
run time (an argument of campBuf*, or one SQLite calls incomplete), printf
templates, statements that are not one SELECT, INSERT, UPDATE, DELETE or
WITH.  A statement chosen by campDbKind (`== DB_POSTGRES ? A : B`), or
spelled in one store's words (PG_ONLY, LITE_ONLY), is prepared on that
store only.  The temporary tables the store makes are
made first.  Prints one line per statement a store refused
(FILE:LINE: STORE: the error) and a last line "N statements, N refused".
"""
import re, sqlite3, subprocess, sys, tempfile

TEMP = {
    "pg": ["CREATE TEMP TABLE camp_refresh(id BIGINT PRIMARY KEY)",
           "CREATE TEMP TABLE camp_sync_addr(model TEXT NOT NULL, addr TEXT NOT NULL, record BIGINT NOT NULL, "
           "PRIMARY KEY(model, addr, record))"],
    "lite": ["CREATE TEMP TABLE camp_refresh(id INTEGER PRIMARY KEY)",
             "CREATE TEMP TABLE camp_sync_addr(model TEXT NOT NULL, addr TEXT NOT NULL, record INTEGER NOT NULL, "
             "PRIMARY KEY(model, addr, record)) WITHOUT ROWID"],
}
# a statement spelled for one store only, outside a `kind == DB_POSTGRES ?` choice
PG_ONLY = re.compile(r"\bpg_\w+\(|\binformation_schema\.|\bSKIP LOCKED\b", re.I)
LITE_ONLY = re.compile(r"\browid\b|\bsqlite_\w+|\bpragma_\w+|\bINDEXED BY\b|\bWITHOUT ROWID\b|\blast_insert_rowid\(", re.I)
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
KIND = re.compile(r'(==|!=)\s*DB_(POSTGRES|SQLITE)\s*\)?\s*\?\s*$')


def own_lines(cc, path):
    """path after the preprocessor: its own lines only, as (text, line numbers)"""
    out = subprocess.run(cc.split() + ["-E", path], capture_output=True, text=True, check=True).stdout
    keep, line, text, lines = False, 0, [], []
    for ln in out.split("\n"):
        m = re.match(r'# (\d+) "([^"]+)"', ln)
        if m:
            keep, line = m.group(2) == path, int(m.group(1))
            continue
        if keep:
            text.append(ln)
            lines.append(line)
        line += 1
    return "\n".join(text), lines


def statements(cc, path):
    """(line, sql, store) of path's statements; store: None (both), "pg" or "lite" """
    text, lines = own_lines(cc, path)
    i, n, prev, found = 0, len(text), None, []
    while i < n:
        c = text[i]
        if c == "'":                                   # a character constant
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c != '"':
            i += 1
            continue
        start, parts = i, []
        while True:
            m = LITERAL.match(text, i)
            if not m:
                break
            parts.append(m.group(1))
            i = m.end()
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != '"':
                break
        if not parts:
            i += 1
            continue
        sql = "".join(parts).encode("latin-1", "backslashreplace").decode("unicode_escape")
        before = text[max(0, start - 200):start]
        store = None
        m = KIND.search(before)
        if m:                                          # kind == DB_POSTGRES ? "this" : ...
            store = "pg" if (m.group(1) == "==") == (m.group(2) == "POSTGRES") else "lite"
        elif prev and prev[1] and re.fullmatch(r"\s*:\s*", text[prev[0]:start]):
            store = "lite" if prev[1] == "pg" else "pg"  # ... : "this"
        prev = (i, store)
        if not store and PG_ONLY.search(sql):
            store = "pg"
        elif not store and LITE_ONLY.search(sql):
            store = "lite"
        piece = re.search(r"campBuf\w*\(\s*&?[\w.>-]+\s*,\s*$", before)
        if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", sql, re.I) and not piece and not re.search(r"%[a-z]", sql):
            found.append((lines[text.count("\n", 0, start)], sql, store))
    return found


def dollars(sql):
    """sql with ? and ?N as $N (runtime/store_db_pg.c's numbering), the highest N"""
    out, high, i = [], 0, 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            j = i + 1
            while j < len(sql) and not (sql[j] == c and (j + 1 >= len(sql) or sql[j + 1] != c)):
                j += 2 if sql[j] == c else 1
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if c == "?":
            m = re.match(r"\d+", sql[i + 1:])
            k = int(m.group()) if m else high + 1
            i += 1 + (m.end() if m else 0)
            high = max(high, k)
            out.append("$%d" % k)
            continue
        out.append(c)
        i += 1
    return "".join(out), high


def main():
    lite_path, psql, cc, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    todo = [(f, line, sql, store) for f in files for line, sql, store in statements(cc, f)]
    refused = []
    # SQLite: EXPLAIN each (prepared, never run)
    lite = sqlite3.connect(lite_path)
    for ddl in TEMP["lite"]:
        lite.execute(ddl)
    pieces = set()
    for k, (f, line, sql, store) in enumerate(todo):
        if store == "pg":
            continue
        try:
            lite.execute("EXPLAIN " + sql, [None] * dollars(sql)[1])
        except sqlite3.Error as e:
            if "incomplete input" in str(e):
                pieces.add(k)                          # the start of a statement built at run time
            else:
                refused.append("%s:%d: SQLite: %s" % (f, line, e))
    # PostgreSQL: one session, each PREPAREd and DEALLOCATEd; an error names its script line
    script, spans = ["\\set ON_ERROR_STOP 0", "SET client_min_messages = warning;"] + [d + ";" for d in TEMP["pg"]], []
    for k, (f, line, sql, store) in enumerate(todo):
        if store == "lite" or k in pieces:
            continue
        first = len(script) + 1
        script.append("PREPARE camp_check AS " + dollars(sql)[0] + ";")
        last = first + sql.count("\n")
        script.append("DEALLOCATE ALL;")
        spans.append((first, last, f, line))
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as t:      # psql names a file's lines in its errors
        t.write("\n".join(script) + "\n")
        t.flush()
        r = subprocess.run(psql + " -f " + t.name, shell=True, capture_output=True, text=True)
    for m in re.finditer(r"^psql:[^:]*:(\d+): (ERROR:.*)$", r.stderr, re.M):
        at = int(m.group(1))
        for first, last, f, line in spans:
            if first <= at <= last:
                if "at end of input" not in m.group(2):
                    refused.append("%s:%d: PostgreSQL: %s" % (f, line, m.group(2)))
                break
    for x in refused:
        print(x)
    print("%d statements, %d refused" % (len(todo), len(refused)))


if __name__ == "__main__":
    main()
