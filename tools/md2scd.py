#!/usr/bin/python3
# tools/md2scd.py NAME SECTION VERSION < PAGE.md > PAGE.scd -- a Markdown page
# as scdoc(5), for a man page made from the same text as the docs.
#
# Owns: the subset of Markdown that docs/LANGUAGE.md uses: '#' headings (the
# first one gives the NAME line, '##' become sections, '###' subsections),
# paragraphs, fenced code blocks, '-' lists with indented continuation lines,
# pipe tables (a header row, a '|---|' rule, '\|' inside cells), inline
# `code` and ``code``, **strong**, *emphasis* and _emphasis_, [text](url),
# and Markdown's backslash escapes.  Does not own: rendering (scdoc), nor
# other Markdown (nested lists, numbered lists, HTML, images), which is
# refused with a message naming the line, so the page never loses text
# silently.
import re
import sys

ESCAPES = "\\`*_{}[]()#+-.!|\"'<>~"


def fail(n, msg):
    sys.exit("md2scd: line %d: %s" % (n, msg))


def literal(s):
    """s as scdoc text shown as it is: its own markup characters escaped."""
    return re.sub(r"([\\*_])", r"\\\1", s)


def inline(s):
    """Markdown inline markup in s as scdoc: code and strong are bold,
    emphasis underlined, everything else shown as it is."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "`":
            m = re.match(r"(`+)(.+?)\1(?!`)", s[i:])
            if m:
                code = m.group(2)
                if code.startswith(" ") and code.endswith(" ") and code.strip():
                    code = code[1:-1]
                out.append("*" + literal(code) + "*")
                i += m.end()
                continue
            n = len(re.match(r"`+", s[i:]).group(0))
            out.append(s[i:i + n])
            i += n
            continue
        if c == "\\" and i + 1 < len(s) and s[i + 1] in ESCAPES:
            out.append(literal(s[i + 1]))
            i += 2
            continue
        m = re.match(r"\*\*(.+?)\*\*", s[i:])
        if m:
            out.append("*" + strip_markup(m.group(1)) + "*")
            i += m.end()
            continue
        m = re.match(r"([*_])(?=\S)(.+?)(?<=\S)\1(?!\w)", s[i:])
        if m and (i == 0 or not s[i - 1].isalnum()):
            out.append("_" + strip_markup(m.group(2)) + "_")
            i += m.end()
            continue
        m = re.match(r"\[([^\]]+)\]\(([^)\s]+)\)", s[i:])
        if m:
            text, url = m.group(1), m.group(2)
            out.append(inline(text) + ("" if url.split("#")[0] in text else " (" + literal(url) + ")"))
            i += m.end()
            continue
        out.append(literal(c))
        i += 1
    return "".join(out)


def strip_markup(s):
    """The text inside bold or emphasis: scdoc cannot nest formatting, so
    code spans inside lose their backticks and keep their text."""
    s = re.sub(r"(`+)(.+?)\1", lambda m: m.group(2), s)
    return literal(s.replace("\\|", "|"))


def cells(line):
    """The cells of a table row, '\\|' kept inside a cell as '|'."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def too_narrow(rows):
    """Whether tbl would get a word it cannot break: a text column is given
    about 1/(columns+1) of the line, and words break only at hyphens."""
    share = 78 // (len(rows[0]) + 1) - 4
    return any(len(w) > share for row in rows for cell in row[:-1] for w in re.split(r"[\s-]+", cell.strip("`")))


def terms(rows):
    """A wide table as one term a row: the first cell, then the other
    columns named by their header, then the last cell."""
    head, out = rows[0], []
    for row in rows[1:]:
        mid = ", ".join("%s %s" % (strip_markup(h), inline(c)) for h, c in zip(head[1:-1], row[1:-1]) if c.strip() not in ("", "``"))
        out += ["*" + strip_markup(row[0]) + "*", "\t" + mid + (": " if mid else "") + inline(row[-1]), ""]
    return out


def table(rows, n):
    """rows (the header first) as an scdoc table with borders, the last
    column growing and wrapping; as terms when the columns are too narrow."""
    width = len(rows[0])
    for row in rows:
        if len(row) != width:
            fail(n, "a table row has %d cells, its header %d" % (len(row), width))
    if too_narrow(rows):
        return terms(rows)
    out = []
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            text = inline(cell) if r else "*" + strip_markup(cell) + "*"
            if not text:
                text = " "
            if r == 0:
                lead = ("[[" if k == 0 else (":<" if k == width - 1 else ":["))
            else:
                lead = "| " if k == 0 else ": "
            out.append(lead + " " + text if text.strip() else lead)
    return out


def line_safe(s):
    """A paragraph (one line: inline markup may span Markdown's lines) whose
    first character scdoc would take for markup."""
    return "\\" + s if re.match(r"[-.;#|:\[\]]", s) else s


def convert(lines, name, section, version):
    out = ['%s(%s) "camp %s" "camp manual"' % (name, section, version), ""]
    i, n = 0, len(lines)
    seen_title = False
    while i < n:
        ln = lines[i].rstrip("\n")
        if not ln.strip():
            i += 1
            continue
        m = re.match(r"(#{1,3}) (.*)", ln)
        if m:
            level, title = len(m.group(1)), m.group(2).strip()
            if level == 1:
                if seen_title:
                    fail(i + 1, "a second '#' title")
                seen_title = True
                out += ["# NAME", "", "%s - %s" % (name, strip_markup(title[0].lower() + title[1:])), "",
                        "# DESCRIPTION", ""]
            elif level == 2:
                out += ["# " + strip_markup(title).upper(), ""]
            else:
                out += ["## " + strip_markup(title), ""]
            i += 1
            continue
        if ln.startswith("```"):
            body = []
            i += 1
            while i < n and not lines[i].startswith("```"):
                body.append(lines[i].rstrip("\n").replace("\\", "\\\\"))
                i += 1
            if i == n:
                fail(i, "a code block is not closed")
            out += ["```"] + body + ["```", ""]
            i += 1
            continue
        if ln.startswith("|"):
            start, rows = i + 1, []
            while i < n and lines[i].startswith("|"):
                if not re.match(r"\|\s*:?-{3,}", lines[i]):
                    rows.append(cells(lines[i]))
                i += 1
            out += table(rows, start) + [""]
            continue
        if re.match(r"- ", ln):
            items = []
            while i < n and re.match(r"- |  \S", lines[i]):
                item = lines[i].strip()
                if lines[i].startswith("- "):
                    items.append(item[2:])
                else:
                    items[-1] += " " + item
                i += 1
            out += ["- " + inline(item) for item in items]
            if i < n and lines[i].strip() and not lines[i].startswith("#"):
                fail(i + 1, "a list item must end with a blank line")
            out.append("")
            continue
        if re.match(r"\s*(\d+\.|[*+]) ", ln) or re.match(r"\s+- ", ln) or ln.lstrip().startswith("<"):
            fail(i + 1, "Markdown that md2scd does not handle: " + ln.strip())
        para = []
        while i < n and lines[i].strip() and not re.match(r"#{1,3} |```|\||- ", lines[i]):
            para.append(lines[i].strip())
            i += 1
        out += [line_safe(inline(" ".join(para))), ""]
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: md2scd.py NAME SECTION VERSION < PAGE.md > PAGE.scd")
    out = convert(sys.stdin.readlines(), *sys.argv[1:])
    while out and not out[-1]:
        out.pop()
    sys.stdout.write("\n".join(out) + "\n")


main()
