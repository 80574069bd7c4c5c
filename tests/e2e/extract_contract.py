"""tension extract --jsonl on the sample corpus: one valid object per document,
in order, and every evidence/incident offset pointing at the exact bytes."""
import os
from common import setup, run, check, validate, jsonl, fail

binary, root, work = setup()
sample = os.path.join(root, "corpora", "sample")
files = sorted(os.path.join(sample, f) for f in os.listdir(sample) if not f.startswith("."))
p = run([binary, "extract", "--jsonl"] + files)
rows = jsonl(p.stdout)
check(len(rows) == len(files), f"{len(rows)} lines for {len(files)} files")
schema = os.path.join(root, "reports", "schema", "extract.schema.json")
kinds = set()
for path, row in zip(files, rows):
    check(row["doc"] == path, f"order: {row['doc']} != {path}")
    validate(row, schema)
    data = open(path, "rb").read()
    import hashlib
    check(row["sha256"] == hashlib.sha256(data).hexdigest(), f"{path}: sha256")
    kinds.add(row["kind"])
    check(row["date"] is None or len(row["date"]) == 10, f"{path}: date")
    if row["format"] != "text":
        # converted (Word, PDF, ...): offsets are into the extracted text and
        # every location names its paragraph; tests/e2e/formats.py checks them
        check(all("paragraph" in ev for sig in row["signals"] for ev in sig["evidence"]),
              f"{path}: evidence paragraphs")
        continue
    for sig in row["signals"]:
        for ev in sig["evidence"]:
            got = data[ev["start"]:ev["end"]].decode("utf-8")
            check(got == ev["text"], f"{path}: evidence bytes {ev['start']}:{ev['end']} != text")
    for inc in row["incidents"]:
        check(data[inc["start"]:inc["end"]].decode("utf-8") == inc["text"], f"{path}: incident offsets")
check(kinds >= {"minutes", "report"}, f"kinds seen: {kinds}")
check(sum(len(r["signals"]) for r in rows) > 20, "too few signals on the sample corpus")

# paths on standard input (the Hadoop Streaming / Spark pipe() mapper form)
p2 = run([binary, "extract", "--jsonl"], stdin="\n".join(files[:3]) + "\n")
check(jsonl(p2.stdout) == rows[:3], "paths from stdin give the same objects")

# a file that cannot be read yields doc + errors only, and exit status 1
missing = os.path.join(work, "missing.txt")
p3 = run([binary, "extract", "--jsonl", files[0], missing], expect=(1,))
r3 = jsonl(p3.stdout)
check(len(r3) == 2 and set(r3[1]) == {"doc", "errors"} and r3[1]["errors"], "unreadable file object")
check(missing in p3.stderr, "the message names the file")
print("ok")
