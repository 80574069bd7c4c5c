"""tension search over a small database: ranked hits with where they came
from, filters, JSON lines, --redact, and clear errors for bad queries."""
import json
import os
from common import setup, run, check, jsonl

binary, root, work = setup()
db = os.path.join(work, "s.db")
run([binary, "ingest", "--db", db, os.path.join(root, "tests", "fixtures", "names")])

p = run([binary, "search", "--db", db, "mosque"])
check("Minutes" not in p.stdout and "iag-minutes-2025-03-11.txt" in p.stdout, p.stdout)
check("section \"Hate crime\"" in p.stdout and "bytes " in p.stdout, "where it came from")

hits = jsonl(run([binary, "search", "--db", db, "--jsonl", "mosque"]).stdout)
check(len(hits) >= 3, f"mosque hits: {len(hits)}")
check([h["rank"] for h in hits] == list(range(1, len(hits) + 1)), "ranked")
check(all(hits[i]["score"] <= hits[i + 1]["score"] for i in range(len(hits) - 1)), "bm25 order")
check(all("mosque" in h["text"].lower() for h in hits), "every hit has the word")
for h in hits:
    raw = open(os.path.join(root, "tests", "fixtures", "names", os.path.basename(h["doc"])), "rb").read()
    check(raw[h["start"]:h["end"]].decode() == h["text"], f"offsets point at the text: {h}")
check(any(h["speaker"] == "AB" and h["speaker_role"] == "TVP Community & Diversity Officer" for h in hits), "speaker")

# stemming, phrases, filters, limit
check(jsonl(run([binary, "search", "--db", db, "--jsonl", "frightens"]).stdout), "porter stems")
one = jsonl(run([binary, "search", "--db", db, "--jsonl", "--limit", "1", "mosque"]).stdout)
check(len(one) == 1, "--limit")
polish = jsonl(run([binary, "search", "--db", db, "--jsonl", "--community", "polish", "community OR families"]).stdout)
allc = jsonl(run([binary, "search", "--db", db, "--jsonl", "community OR families"]).stdout)
check(polish and all("Polish" in h["text"] for h in polish) and len(allc) > len(polish),
      f"--community: {polish}")
hate = jsonl(run([binary, "search", "--db", db, "--jsonl", "--theme", "hate_crime", "investigated"]).stdout)
check(len(hate) == 2, f"--theme: {hate}")
late = jsonl(run([binary, "search", "--db", db, "--jsonl", "--from", "2025-03-20", "hate"]).stdout)
check(late and all(h["date"] == "2025-03-25" for h in late), "--from")
check(jsonl(run([binary, "search", "--db", db, "--jsonl", '"Polish shop"']).stdout), "phrase")

# --redact: no initials, names or paths
red = run([binary, "search", "--db", db, "--jsonl", "--redact", "Harlow OR Patel"]).stdout
check(red.strip(), "hits to redact")
for bad in ("Harlow", "Patel", "KMR", "QZ", ".txt", "\"speaker\""):
    check(bad not in red, f"--redact removed {bad}: {red}")
check("Minutes 2025-03-11" in red, "documents by kind and date")

# errors: one line, exit 2, no crash; injection attempts are just text
bad = run([binary, "search", "--db", db, "AND ("], expect=(2,))
check(bad.stderr.count("\n") == 1 and "cannot understand the query" in bad.stderr, bad.stderr)
run([binary, "search", "--db", db, "\"x' OR 1=1; DROP TABLE sentences; --\""])
check(jsonl(run([binary, "search", "--db", db, "--jsonl", "mosque"]).stdout), "table still there")
missing = run([binary, "search", "--db", os.path.join(work, "none.db"), "x"], expect=(3,))
check("no such database" in missing.stderr, missing.stderr)
run([binary, "search", "--db", db], expect=(2,))
check("QUERY" in run([binary, "search", "--help"]).stdout, "help")
print("ok")
