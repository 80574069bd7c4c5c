"""Beyond one machine: the corpus split into four shards, each processed on
its own (ingest into a shard database; extract --jsonl --full as a Hadoop
Streaming / Spark pipe() mapper reading paths on stdin, loaded with ingest
--from-jsonl), then merged, gives the same reports (month and quarter) and
the same rows as one ingest of the whole corpus. Merging is idempotent and
a changed document in a later shard replaces the older one."""
import os
import shutil
import sqlite3
from common import setup, run, check
import dbcompare

binary, root, work = setup()
sample = os.path.join(root, "corpora", "sample")
os.chdir(work)  # relative paths: every run stores the same document paths
shutil.copytree(sample, "corpus")
for i, name in enumerate(sorted(n for n in os.listdir(sample) if n.endswith(".txt"))[:3]):
    text = open(os.path.join(sample, name), encoding="utf-8-sig").read()
    with open(os.path.join("corpus", "conv-" + name), "wb") as f:
        f.write(text.encode(["utf-16", "cp1252", "utf-8-sig"][i], errors="replace"))
files = sorted(os.path.join("corpus", n) for n in os.listdir("corpus"))
shards = [files[i::4] for i in range(4)]  # round robin: no shard holds a date range


def reports(db):
    out = {}
    for period in ("month", "quarter"):
        p = run([binary, "report", "--db", db, "--period", period])
        out[period] = p.stdout
    return out


run([binary, "ingest", "--db", "single.db", "corpus"])
want = reports("single.db")
want_rows = dbcompare.dump("single.db")
check(len(want_rows["documents"]) == len(files), "single run stored every file")


def same(db, how):
    got = reports(db)
    for period in got:
        check(got[period] == want[period], f"{how}: {period} report differs from a single run")
    d = dbcompare.diff(dbcompare.dump(db), want_rows)
    check(d is None, f"{how}: rows differ from a single run: {d}")


# 1. ingest each shard into its own database, merge
for i, shard in enumerate(shards):
    run([binary, "ingest", "--jobs", "2", "--db", f"shard{i}.db"] + shard)
p = run([binary, "merge", "--db", "merged.db"] + [f"shard{i}.db" for i in range(4)])
check(f"{len(files)} added, 0 replaced, 0 kept" in p.stderr, p.stderr)
same("merged.db", "ingest per shard + merge")
p = run([binary, "merge", "--db", "merged.db", "shard2.db"])
check(f"0 added, 0 replaced, {len(shards[2])} kept" in p.stderr, p.stderr)
same("merged.db", "merging a shard twice")

# 2. the mapper: paths on stdin (Hadoop Streaming gives "key<TAB>path"), one
#    JSON line per document out; then ingest --from-jsonl per shard, merge
for i, shard in enumerate(shards):
    lines = "".join((f"{n}\t{path}\n" if i % 2 else f"{path}\n") for n, path in enumerate(shard))
    p = run([binary, "extract", "--jsonl", "--full", "--jobs", "2"], stdin=lines)
    check(p.stdout.count("\n") == len(shard), "one line per document")
    with open(f"part-{i:05d}", "w", encoding="utf-8") as f:
        f.write(p.stdout)
    run([binary, "ingest", "--from-jsonl", f"part-{i:05d}", "--db", f"js{i}.db"])
run([binary, "merge", "--db", "merged-js.db"] + [f"js{i}.db" for i in range(4)])
same("merged-js.db", "extract --full | ingest --from-jsonl per shard + merge")

# 3. all mapper output into one database through standard input
allparts = "".join(open(f"part-{i:05d}", encoding="utf-8").read() for i in range(4))
run([binary, "ingest", "--from-jsonl", "-", "--db", "one-js.db"], stdin=allparts)
same("one-js.db", "all mapper output through ingest --from-jsonl -")

# 4. a document changed after shard 0 was made: the newer version wins
victim = shards[0][0]
with open(victim, "a", encoding="utf-8") as f:
    f.write("\nAB said that knife crime worried the Somali community.\n")
os.utime(victim, (2_000_000_000, 2_000_000_000))
run([binary, "ingest", "--db", "late.db", victim])
p = run([binary, "merge", "--db", "merged.db", "late.db", "shard0.db"])
check("1 replaced" in p.stderr and f"{len(shards[0])} kept" in p.stderr, p.stderr)
con = sqlite3.connect("merged.db")
sha = con.execute("select sha256 from documents where path = ?", (victim,)).fetchone()[0]
n = con.execute("select count(*) from sentences where doc_id = (select id from documents where"
                " path = ?)", (victim,)).fetchone()[0]
fts = con.execute("select count(*) from sentences_fts where sentences_fts match 'somali' and rowid"
                  " in (select id from sentences where doc_id = (select id from documents where"
                  " path = ?))", (victim,)).fetchone()[0]
con.execute("insert into sentences_fts(sentences_fts) values('integrity-check')")
con.close()
late = sqlite3.connect("late.db")
check(sha == late.execute("select sha256 from documents").fetchone()[0], "the newer file won")
check(n == late.execute("select count(*) from sentences").fetchone()[0], "with its sentences")
check(fts >= 1, "and its full-text entries")

# bad input: not a tension database
with open("not.db", "w") as f:
    f.write("hello")
p = run([binary, "merge", "--db", "merged.db", "not.db"], expect=(1,))
check("not.db" in p.stderr, p.stderr)
print("ok")
