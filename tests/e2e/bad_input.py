"""A folder mixing good documents with every kind of bad file: the good ones
are stored fully (the same rows as a clean run of them alone), each bad one
gets exactly one line naming it, the run goes on, the exit status is 1 and
the database passes integrity_check (FTS index included).

Files that can be read despite a problem (invalid UTF-8, NUL bytes, UTF-16
without a BOM, CR-only line ends, a 1 MB "word") are stored, with one
warning line for the problem; files that cannot be read (empty, binary,
image, archive, missing, unreadable, FIFO, socket, device, symlink loop) are
skipped with one line each and nothing of them is stored.

Unreadable files: the tests run as root, which reads a chmod 000 file
anyway, so that part runs `tension` as `nobody` with setpriv (util-linux)."""
import os
import shutil
import socket
import sqlite3
import subprocess
from common import setup, run, check, per_doc_counts, integrity_ok

binary, root, work = setup()
folder = os.path.join(work, "inbox")
os.makedirs(folder)
sample = os.path.join(root, "corpora", "sample")
good = sorted(f for f in os.listdir(sample) if f.endswith(".txt"))[:2]
for g in good:
    shutil.copy(os.path.join(sample, g), folder)
with open(os.path.join(sample, good[0]), "rb") as f:
    doc = f.read()

# skipped: nothing of them may be stored
bad = {
    "empty.txt": b"",
    "image.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "photo.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
    "binary.bin": bytes(range(256)) * 64,
    "archive.zip": b"PK\x03\x04" + b"\x00" * 100,
    "archive.tar.gz": b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8,
    "program.txt": b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
    "nuls.txt": b"\x00" * 4096,
}
for name, data in bad.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
# readable with a problem: stored, one warning line each
warned = {
    "invalid-utf8.txt": doc[:600] + b"\xff\xc3\x28" + doc[600:],
    "nul-bytes.txt": doc[:700] + b"\x00\x00\x00" + doc[700:],
    "utf16-nobom.txt": doc.decode("utf-8").encode("utf-16-le"),
}
for name, data in warned.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
# readable, no warning
quiet = {
    "latin1.txt": b"Minutes\n\nAB said the \x93Somali\x94 community raised \xa3500 for the youth club.\n",
    "cr-only.txt": doc.replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
    "long-word.txt": b"Minutes of the meeting.\n\nThe word was " + b"a" * (1 << 20) + b".\n",
}
for name, data in quiet.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
os.mkfifo(os.path.join(folder, "pipe.txt"))
sock = socket.socket(socket.AF_UNIX)
sock.bind(os.path.join(folder, "socket.txt"))
os.symlink("/dev/null", os.path.join(folder, "devnull.txt"))
os.symlink("/dev/zero", os.path.join(folder, "zero.txt"))
os.symlink(folder, os.path.join(folder, "loop"))
os.makedirs(os.path.join(folder, "sub"))
os.symlink("../sub", os.path.join(folder, "sub", "up"))
os.symlink("nowhere.txt", os.path.join(folder, "broken.txt"))
skipped = list(bad) + ["pipe.txt", "socket.txt", "devnull.txt", "zero.txt", "loop",
                       os.path.join("sub", "up"), "broken.txt"]
missing = os.path.join(work, "does-not-exist.txt")
db = os.path.join(work, "t.db")

# the FIFO must never be opened: a blocking open would hang the run, so a timeout fails it
p = subprocess.run([binary, "ingest", "--db", db, folder, missing], capture_output=True,
                   text=True, timeout=300)
check(p.returncode == 1, f"exit status {p.returncode}, expected 1\n{p.stderr}")
lines = [l for l in p.stderr.splitlines() if l.startswith("tension:") and " stored, " not in l]
for name in skipped + list(warned):
    hits = [l for l in lines if os.path.join(folder, name) + ":" in l]
    check(len(hits) == 1, f"one line for {name}: {hits}")
for name in list(quiet) + good:
    hits = [l for l in lines if os.path.join(folder, name) + ":" in l]
    check(not hits, f"no message for {name}: {hits}")
check(sum(missing in l for l in lines) == 1, "missing path reported once")
check(len(lines) == len(skipped) + len(warned) + 1, "no other lines:\n" + "\n".join(lines))
check(any("invalid UTF-8" in l and "invalid-utf8.txt:" in l for l in lines), "UTF-8 message")
check(any("NUL" in l and "nul-bytes.txt" in l for l in lines), "NUL message")
check(any("looks like a PNG image" in l for l in lines), "PNG named")
check(any("empty file" in l for l in lines), "empty named")
check(f"{len(good) + len(warned) + len(quiet)} stored, 0 unchanged, {len(skipped) + 1} skipped"
      in p.stderr, p.stderr)

con = sqlite3.connect(db)
stored = sorted(os.path.basename(r[0]) for r in con.execute("select path from documents"))
check(stored == sorted(good + list(warned) + list(quiet)), f"stored: {stored}")
enc = dict(con.execute("select path, encoding from documents"))
check(enc[os.path.join(folder, "utf16-nobom.txt")] == "utf-16le", "UTF-16 without BOM detected")
check(enc[os.path.join(folder, "latin1.txt")] == "windows-1252", "Windows-1252 detected")
errs = con.execute("select count(*) from errors e join documents d on d.id = e.doc_id"
                   " where d.path like '%invalid-utf8.txt'").fetchone()[0]
check(errs == 1, "the warning is kept with the document")
con.close()
check(integrity_ok(db), "integrity_check and the FTS index check pass")

# good documents fully stored: the same rows as a clean run of them alone;
# the UTF-16, CR-only and repaired copies of the same minutes have the same
# sentences and mentions as the original
clean_dir = os.path.join(work, "clean")
os.makedirs(clean_dir)
for g in good:
    shutil.copy(os.path.join(folder, g), clean_dir)
clean_db = os.path.join(work, "clean.db")
run([binary, "ingest", "--db", clean_db, clean_dir])
counts, clean = per_doc_counts(db), per_doc_counts(clean_db)
for g in good:
    a, b = counts[os.path.join(folder, g)], clean[os.path.join(clean_dir, g)]
    check(a == b, f"{g}: {a} rows in the mixed run, {b} alone")
orig = counts[os.path.join(folder, good[0])]
for name in ("cr-only.txt", "utf16-nobom.txt", "nul-bytes.txt"):
    got = counts[os.path.join(folder, name)]
    # (sentences, texts, sections, speakers, sentences, mentions, signals, incidents); errors differ
    check(got[:8] == orig[:8], f"{name}: {got} vs the original {orig}")
for path, c in counts.items():
    check(c[0] == c[4] and c[1] == 1, f"{path}: half-stored? {c}")

# unreadable files and folders: as a user who cannot read them
if shutil.which("setpriv"):
    uw = os.path.join(work, "unreadable")
    os.makedirs(os.path.join(uw, "in", "locked"))
    shutil.copy(os.path.join(sample, good[0]), os.path.join(uw, "in", "ok.txt"))
    secret = os.path.join(uw, "in", "secret.txt")
    shutil.copy(os.path.join(sample, good[1]), secret)
    shutil.copy(os.path.join(sample, good[1]), os.path.join(uw, "in", "locked", "x.txt"))
    os.chmod(secret, 0)
    os.chmod(os.path.join(uw, "in", "locked"), 0)
    for d in (work, uw, os.path.join(uw, "in")):
        os.chmod(d, 0o777)
    as_nobody = []
    if os.geteuid() == 0:
        as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    udb = os.path.join(uw, "u.db")
    env = dict(os.environ, TENSION_LEXICONS=os.path.join(root, "lexicons"))
    p = subprocess.run(as_nobody + [binary, "ingest", "--db", udb, os.path.join(uw, "in")],
                       capture_output=True, text=True, env=env, timeout=300)
    check(p.returncode == 1, f"unreadable: exit {p.returncode}\n{p.stderr}")
    lines = [l for l in p.stderr.splitlines() if " stored, " not in l]
    check(sum(secret in l and "Permission denied" in l for l in lines) == 1,
          f"unreadable file named: {lines}")
    check(sum("locked" in l and "Permission denied" in l for l in lines) == 1,
          f"unreadable folder named: {lines}")
    check(len(lines) == 2, f"two lines: {lines}")
    con = sqlite3.connect(udb)
    stored = [os.path.basename(r[0]) for r in con.execute("select path from documents")]
    con.close()
    check(stored == ["ok.txt"], f"only the readable file stored: {stored}")
    check(oct(os.stat(udb).st_mode & 0o777) == "0o600", "database mode 0600")
else:
    print("setpriv not found: unreadable files not tested")
print("ok")
