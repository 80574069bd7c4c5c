"""Bad lexicons: every problem is one line naming file:line (an invalid
PCRE2 pattern with PCRE2's message and offset, a duplicate identifier, an
unknown category, an empty pattern), `ingest` refuses to run with them
(exit 3, nothing stored), and a pattern that backtracks catastrophically is
stopped by PCRE2's match limit: reported with its file:line in the
document's errors and on stderr, skipped for that document only, and the
run goes on."""
import os
import shutil
import sqlite3
import time
from common import setup, run, check

binary, root, work = setup()
fixture = os.path.join(root, "tests", "fixtures", "lexicon")
header = "category\tidentifier\tsurface\tkind\tweight\tnotes\n"


def lexicon(name, entries="", identifiers=""):
    d = os.path.join(work, name)
    shutil.copytree(fixture, d)
    if entries:
        with open(os.path.join(d, "extra.tsv"), "w", encoding="utf-8") as f:
            f.write(header + entries)
    if identifiers:
        with open(os.path.join(d, "identifiers.tsv"), "a", encoding="utf-8") as f:
            f.write(identifiers)
    return d


def lines_of(text):
    return [l for l in text.splitlines() if l.strip()]


cases = [
    ("regex", "community\tasian\t(?<name>Asian\tregex\t1\t\n", "",
     "extra.tsv:2: invalid regex at offset "),
    ("regex-quantifier", "community\tasian\tAsian{2,1}\tregex\t1\t\n", "",
     "extra.tsv:2: invalid regex at offset "),
    ("duplicate", "", "community\tasian\tAsian again\t-\trace\t-\t\n",
     "identifiers.tsv:"),
    ("category", "weather\tasian\tAsian\tphrase\t1\t\n", "",
     'extra.tsv:2: unknown category "weather"'),
    ("empty-regex", "community\tasian\t\tregex\t1\t\n", "", "extra.tsv:2: empty"),
    ("empty-phrase", "community\tasian\t \tphrase\t1\t\n", "", "extra.tsv:2: empty"),
]
doc = os.path.join(work, "doc.txt")
with open(doc, "w", encoding="utf-8") as f:
    f.write("Minutes\n\nAB said the Asian community met the Romanian community.\n")
for name, entries, idents, want in cases:
    d = lexicon(name, entries, idents)
    p = run([binary, "lexicon", "check", d], expect=(1,))
    problems = [l for l in lines_of(p.stderr) if not l.startswith("tension:")]
    check(len(problems) == 1, f"{name}: one problem line: {problems}")
    check(want in problems[0], f"{name}: '{want}' in {problems[0]}")
    if name == "duplicate":
        check("duplicate identifier community/asian" in problems[0], problems[0])
    if name == "regex":
        # PCRE2's own message and the byte offset into the pattern
        off = int(problems[0].split("invalid regex at offset ")[1].split(":")[0])
        check(0 < off <= len("(?<name>Asian"), f"offset {off}")
        check("missing" in problems[0] or "syntax" in problems[0] or "expected" in problems[0],
              f"PCRE2's message: {problems[0]}")
    db = os.path.join(work, f"{name}.db")
    p = run([binary, "ingest", "--db", db, "--lexicons", d, doc], expect=(3,))
    check(any(want in l for l in lines_of(p.stderr)), f"{name}: ingest names it: {p.stderr}")
    check(any("fix them and run again" in l for l in lines_of(p.stderr)), p.stderr)
    if os.path.exists(db):
        con = sqlite3.connect(db)
        n = con.execute("select count(*) from documents").fetchone()[0]
        con.close()
        check(n == 0, f"{name}: nothing stored with a broken lexicon")

# catastrophic backtracking: (a+)+$ on a long run of a's
d = lexicon("catastrophic", "community\tasian\t(a+)+$\tregex\t1\t\n")
p = run([binary, "lexicon", "check", d])
slow = os.path.join(work, "slow.txt")
with open(slow, "w", encoding="utf-8") as f:
    f.write("Minutes\n\nAB said the Asian community met.\n\n" + "a" * 20000 + "b\n\n"
            "CD said the Romanian community met.\n")
db = os.path.join(work, "catastrophic.db")
t0 = time.monotonic()
p = run([binary, "ingest", "--db", db, "--lexicons", d, slow, doc])
secs = time.monotonic() - t0
check(secs < 60, f"the match limit stops the pattern: {secs:.0f} s")
warn = [l for l in lines_of(p.stderr) if "extra.tsv:2" in l]
check(len(warn) == 1 and slow in warn[0] and "match limit" in warn[0], f"one warning: {warn}")
check("2 stored, 0 unchanged, 0 skipped" in p.stderr, p.stderr)
con = sqlite3.connect(db)
errs = con.execute("select e.message from errors e join documents d on d.id = e.doc_id"
                   " where d.path = ?", (slow,)).fetchall()
check(len(errs) == 1 and "extra.tsv:2" in errs[0][0], f"kept with the document: {errs}")
ids = {r[0] for r in con.execute("select m.identifier from mentions m join documents d"
                                 " on d.id = m.doc_id where d.path = ?", (slow,))}
check({"asian", "romanian"} <= ids, f"the document's other mentions are still found: {ids}")
con.close()
print("ok")
