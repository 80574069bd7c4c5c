"""tension summary --national and report --redact on fictional minutes full
of names (tests/fixtures/names): valid against the schema, no name, initials
or path survives in any output byte, small counts are "<5"."""
import csv
import glob
import json
import os
import re
from common import setup, run, check, validate, fail

binary, root, work = setup()
fixtures = os.path.join(root, "tests", "fixtures", "names")
db = os.path.join(work, "n.db")
run([binary, "ingest", "--db", db, fixtures])

# Every personal name and every set of initials in the fixtures: names by
# hand (they are the point of the fixture), initials from the attendee
# tables and the text, so a new fixture line is covered automatically.
NAMES = ["Denise", "Harlow", "Patel", "Jones", "Marcus", "Okafor", "Smith", "Grace",
         "Whitfield", "Tomasz", "Nowak", "Kowalski", "Amina", "Yusuf"]
initials = set()
for path in glob.glob(os.path.join(fixtures, "*.txt")):
    text = open(path, encoding="utf-8").read()
    initials |= set(re.findall(r"^([A-Z]{2,4})\t", text, re.M))
    initials |= set(re.findall(r"\b([A-Z]{2,4}) (?:said|to|agreed)\b", text))
initials -= {"TVP", "IAG"}  # organisations, not people
check({"KMR", "AB", "QZ", "WVX", "HLO", "TJL"} <= initials, f"initials found: {initials}")


def assert_clean(data, what):
    for name in NAMES:
        if name.encode() in data:
            fail(f"{what}: the name {name!r} survived")
    for ini in initials:
        if re.search(rb"\b" + ini.encode() + rb"\b", data):
            fail(f"{what}: the initials {ini!r} survived")
    for path_bit in (b"fixtures/names", b".txt", root.encode()):
        if path_bit in data:
            fail(f"{what}: a path ({path_bit!r}) survived")


out = os.path.join(work, "summary.json")
run([binary, "summary", "--national", "--db", db, "--period", "month", "--area", "Milton Keynes",
     "--out", out])
data = open(out, "rb").read()
assert_clean(data, "national summary")
summary = json.loads(data)
validate(summary, os.path.join(root, "reports", "schema", "national-summary.schema.json"))
period = summary["areas"][0]["periods"][0]
check(summary["areas"][0]["area"] == "Milton Keynes", "area named")
check(summary["lexicon_version"], "lexicon version present")

# suppression: walk every count; none may be an integer from 1 to 4
counts = []


def walk(v, key=None):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, k)
    elif isinstance(v, list):
        for x in v:
            walk(x, key)
    elif key in ("signals", "minutes", "report", "other", "evidenced", "experienced", "potential",
                 "race", "religion", "sexual_orientation", "disability", "transgender", "no_strand"):
        counts.append(v)


walk(summary["areas"])
check(counts, "counts found")
check(all(c == "<5" or c == 0 or (isinstance(c, int) and c >= 5) for c in counts),
      f"counts suppressed: {counts}")
check("<5" in counts, "some small count was suppressed")
check(period["documents"]["minutes"] == "<5", f"2 documents shown as <5: {period['documents']}")
# hate crime against Polish (race) and Muslim (religion) people
check(period["hate_crime"]["race"] != 0 and period["hate_crime"]["religion"] != 0,
      f"strands: {period['hate_crime']}")
# actions recorded with the action cue, speakers as roles
actions = [a["text"] for a in period["actions"]]
check(any(t.startswith("ACTION: [TVP LPA Commander] to arrange") for t in actions), f"actions: {actions}")
check(any("[TVP Community & Diversity Officer] agreed to contact Mrs [name]" in t for t in actions),
      f"actions: {actions}")
check(0 < len(period["evidence"]) <= 5, "up to five evidence sentences")
check(all(e["document"]["kind"] == "minutes" and e["document"]["date"] for e in period["evidence"]),
      "documents by kind and date")
check(any("[name]" in e["text"] for e in period["evidence"]), "names replaced in evidence")

# report --redact, every format
rep = os.path.join(work, "redacted.json")
run([binary, "report", "--db", db, "--redact", "--out", rep])
assert_clean(open(rep, "rb").read(), "report --redact (json)")
report = json.load(open(rep, encoding="utf-8"))
validate(report, os.path.join(root, "reports", "schema", "report.schema.json"))
docs = {e["doc"] for p in report["periods"] for g in p["top_signals"] for e in g["evidence"]}
check(docs == {"Minutes 2025-03-11", "Minutes 2025-03-25"}, f"documents by kind and date: {docs}")
html = os.path.join(work, "redacted.html")
run([binary, "report", "--db", db, "--redact", "--format", "html", "--out", html])
assert_clean(open(html, "rb").read(), "report --redact (html)")
csvdir = os.path.join(work, "csv")
run([binary, "report", "--db", db, "--redact", "--format", "csv", "--out", csvdir])
for f in os.listdir(csvdir):
    assert_clean(open(os.path.join(csvdir, f), "rb").read(), f"report --redact ({f})")
# without --redact the names are there (the test would pass vacuously otherwise)
plain = run([binary, "report", "--db", db]).stdout
check("Denise Harlow" in plain or "Cllr Jones" in plain or "Father Kowalski" in plain,
      "the unredacted report has names")
print("ok")
