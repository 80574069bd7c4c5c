"""Shared helpers for the end-to-end tests: run tension, fail loudly."""
import json
import os
import shutil
import subprocess
import sys


def setup():
    if len(sys.argv) != 4:
        sys.exit("usage: TEST.py TENSION_BINARY REPO_ROOT WORK_DIR")
    binary, root, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    return binary, root, work


def run(args, cwd=None, expect=(0,), stdin=None):
    p = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True)
    if p.returncode not in expect:
        sys.stderr.write(p.stdout + p.stderr)
        fail(f"{' '.join(args)} exited {p.returncode}, expected {expect}")
    return p


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def validate(instance, schema_path):
    import jsonschema
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator(schema).validate(instance)


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# Tables holding one row per derived item, keyed by doc_id.
DOC_TABLES = ("document_texts", "sections", "speakers", "sentences", "mentions", "signals",
              "incidents", "errors")


def snapshot(db, ignore=("ingested_at",)):
    """Every table's rows (sorted, doc ids replaced by paths), ignoring the
    columns in `ignore` and SQLite's own and FTS shadow tables. Two
    databases built from the same files compare equal."""
    import sqlite3
    con = sqlite3.connect(db)
    paths = dict(con.execute("select id, path from documents"))
    tables = [r[0] for r in con.execute(
        "select name from sqlite_master where type='table' and name not like 'sqlite_%' "
        "and name not like '%fts%' order by name")]
    out = {}
    for t in tables:
        cols = [r[1] for r in con.execute(f"pragma table_info({t})")
                if r[1] not in ignore and not (t == "documents" and r[1] == "id")
                and not (t == "sentences" and r[1] == "id")]
        rows = []
        for row in con.execute(f"select {','.join(cols)} from {t}"):
            row = [paths.get(v, v) if c == "doc_id" else v for c, v in zip(cols, row)]
            rows.append(repr(row))
        out[t] = sorted(rows)
    con.close()
    return out


def per_doc_counts(db):
    """{path: (sentences column, then the row count of every DOC_TABLES table)}."""
    import sqlite3
    con = sqlite3.connect(db)
    out = {}
    for doc_id, path, nsent in con.execute("select id, path, sentences from documents"):
        out[path] = (nsent,) + tuple(
            con.execute(f"select count(*) from {t} where doc_id = ?", (doc_id,)).fetchone()[0]
            for t in DOC_TABLES)
    con.close()
    return out


def integrity_ok(db):
    import sqlite3
    con = sqlite3.connect(db)
    ok = con.execute("pragma integrity_check").fetchone()[0] == "ok"
    fts = con.execute("insert into sentences_fts(sentences_fts) values ('integrity-check')")
    con.close()
    return ok and fts is not None


def copies_corpus(root, dest, copies):
    """`copies` folders of the sample corpus under dest: many documents with
    known per-document counts (the same as the sample's own)."""
    sample = os.path.join(root, "corpora", "sample")
    names = sorted(f for f in os.listdir(sample) if f.endswith(".txt"))
    for i in range(copies):
        d = os.path.join(dest, f"copy{i:04d}")
        os.makedirs(d)
        for n in names:
            shutil.copy(os.path.join(sample, n), d)
    return len(names) * copies


def stored_count(db):
    """Documents committed so far, read while a writer may be busy (WAL)."""
    import sqlite3
    if not os.path.exists(db):
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        n = con.execute("select count(*) from documents").fetchone()[0]
        con.close()
        return n
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet
