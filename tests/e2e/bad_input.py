"""A folder mixing good documents with bad files: the good ones are stored,
each bad one gets one clear line naming it, the exit status says something
was skipped, and the database passes integrity_check."""
import os
import shutil
import sqlite3
from common import setup, run, check

binary, root, work = setup()
folder = os.path.join(work, "inbox")
os.makedirs(folder)
sample = os.path.join(root, "corpora", "sample")
good = sorted(f for f in os.listdir(sample) if f.endswith(".txt"))[:2]
for g in good:
    shutil.copy(os.path.join(sample, g), folder)
bad = {
    "empty.txt": b"",
    "image.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "binary.bin": bytes(range(256)) * 64,
    "archive.zip": b"PK\x03\x04" + b"\x00" * 100,
}
for name, data in bad.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
# readable with problems: stored, with a warning
with open(os.path.join(folder, "latin1.txt"), "wb") as f:
    f.write(b"Minutes\n\nAB said the \x93Somali\x94 community raised \xa3500 for the youth club.\n")
os.mkfifo(os.path.join(folder, "pipe.txt"))
os.symlink(folder, os.path.join(folder, "loop"))
missing = os.path.join(work, "does-not-exist.txt")
db = os.path.join(work, "t.db")
p = run([binary, "ingest", "--db", db, folder, missing], expect=(1,))
lines = [l for l in p.stderr.splitlines() if l.startswith("tension:") and "stored" not in l]
for name in list(bad) + ["pipe.txt", "loop"]:
    hits = [l for l in lines if os.path.join(folder, name) in l]
    check(len(hits) == 1, f"one line for {name}: {hits}")
check(any(missing in l for l in lines), "missing path reported")
con = sqlite3.connect(db)
stored = sorted(os.path.basename(r[0]) for r in con.execute("select path from documents"))
check(stored == sorted(good + ["latin1.txt"]), f"stored: {stored}")
check(con.execute("pragma integrity_check").fetchone()[0] == "ok", "integrity_check")
print("ok")
