"""A database's content in a form that two runs can be compared by: every
table's rows, sorted, with row ids replaced by what they stand for
(documents by path, sentences by (path, idx)) and ingestion times left out;
plus, for the full-text index, its integrity check and the sentences that a
set of words find."""
import sqlite3

FTS_WORDS = ["knife", "somali", "muslim", "stop", "search", "fear", "rumour", "hate",
             "section", "polish", "youth", "trust", "crime", "mosque", "video"]


def dump(db):
    con = sqlite3.connect(db)
    out = {}
    paths = dict(con.execute("select id, path from documents"))
    sent = {i: (paths[d], x) for i, d, x in con.execute("select id, doc_id, idx from sentences")}
    tables = [r[0] for r in con.execute(
        "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
        " and name not like 'sentences_fts%' order by name")]
    for t in tables:
        cols = [r[1] for r in con.execute(f"pragma table_info({t})")]
        rows = []
        for r in con.execute(f"select {','.join(cols)} from {t}"):
            row = []
            for c, v in zip(cols, r):
                if c == "ingested_at":
                    continue
                if t == "documents" and c == "id":
                    continue
                if t == "sentences" and c == "id":
                    continue
                if c == "doc_id":
                    v = paths[v]
                row.append((c, v))
            rows.append(repr(row))
        out[t] = sorted(rows)
    con.execute("insert into sentences_fts(sentences_fts) values('integrity-check')")
    for w in FTS_WORDS:
        out["fts:" + w] = sorted(sent[r[0]] for r in con.execute(
            "select rowid from sentences_fts where sentences_fts match ?", (w,)))
    out["fts:rows"] = con.execute("select count(*) from sentences_fts").fetchone()[0]
    con.close()
    return out


def diff(a, b):
    """The first difference between two dumps, as text, or None."""
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            x, y = a.get(k) or [], b.get(k) or []
            if isinstance(x, list) and isinstance(y, list):
                only_a = [r for r in x if r not in y][:2]
                only_b = [r for r in y if r not in x][:2]
                return f"{k}: {len(x)} vs {len(y)} rows; only in first {only_a}; only in second {only_b}"
            return f"{k}: {x} vs {y}"
    return None
