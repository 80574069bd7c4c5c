"""--jobs 1 and --jobs 2 give the same output: extract's JSON lines byte for
byte, and the ingested databases table for table (timestamps aside)."""
import os
import shutil
from common import setup, run, check
import dbcompare

binary, root, work = setup()
corpus = os.path.join(work, "corpus")
shutil.copytree(os.path.join(root, "corpora", "sample"), corpus)
# more documents than workers, in nested folders, with converted encodings
texts = sorted(n for n in os.listdir(os.path.join(root, "corpora", "sample")) if n.endswith(".txt"))
for i, name in enumerate(texts):
    src = os.path.join(root, "corpora", "sample", name)
    sub = os.path.join(corpus, "more", str(i % 3))
    os.makedirs(sub, exist_ok=True)
    text = open(src, encoding="utf-8-sig").read()
    enc = ["utf-8", "utf-16", "cp1252"][i % 3]
    with open(os.path.join(sub, name), "wb") as f:
        f.write(text.encode(enc, errors="replace"))

outs = {}
for jobs in ("1", "2", "3"):
    p = run([binary, "extract", "--jsonl", "--jobs", jobs, "--mentions", "--sentences", corpus])
    outs[jobs] = p.stdout
ndocs = len(os.listdir(os.path.join(root, "corpora", "sample"))) + len(texts)
check(outs["1"].count("\n") == ndocs, "one line per document")
check(outs["1"] == outs["2"], "extract --jobs 1 and --jobs 2 print the same bytes")
check(outs["1"] == outs["3"], "extract --jobs 1 and --jobs 3 print the same bytes")

dumps = {}
for jobs in ("1", "2"):
    db = os.path.join(work, f"j{jobs}.db")
    run([binary, "ingest", "--jobs", jobs, "--db", db, corpus])
    dumps[jobs] = dbcompare.dump(db)
check(len(dumps["1"]["documents"]) == ndocs, f"{ndocs} documents stored: {len(dumps['1']['documents'])}")
d = dbcompare.diff(dumps["1"], dumps["2"])
check(d is None, f"ingest --jobs 1 and --jobs 2 store the same rows: {d}")
print("ok")
