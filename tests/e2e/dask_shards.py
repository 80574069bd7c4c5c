"""For real on a distributed engine: a Dask cluster (scheduler and two worker
processes on 127.0.0.1) maps `tension extract --jsonl --full` over four
shards of the corpus (each shard pinned to a worker, paths on the mapper's
standard input); the mapper output is loaded with `ingest --from-jsonl` and
gives the same month and quarter reports as one ingest of the whole corpus.
Skips (exit 77) only when python3-distributed is not importable."""
import os
import shutil
import subprocess
import sys


def mapper(binary, lexicons, paths, cwd):
    """Runs on a Dask worker: the Hadoop-Streaming-style mapper."""
    p = subprocess.run([binary, "extract", "--jsonl", "--full", "--jobs", "1", "--lexicons",
                        lexicons], input="".join(x + "\n" for x in paths), cwd=cwd,
                       capture_output=True, text=True)
    return os.getpid(), p.returncode, p.stdout, p.stderr


def main():
    from common import setup, run, check
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("skip: python3-distributed is not installed (tests/setup-debian.sh installs it)")
        sys.exit(77)
    binary, root, work = setup()
    binary = os.path.abspath(binary)
    lexicons = os.environ.get("TENSION_LEXICONS", os.path.join(root, "lexicons"))
    os.chdir(work)
    shutil.copytree(os.path.join(root, "corpora", "sample"), "corpus")
    files = sorted(os.path.join("corpus", n) for n in os.listdir("corpus"))
    shards = [files[i::4] for i in range(4)]

    run([binary, "ingest", "--db", "single.db", "--lexicons", lexicons, "corpus"])
    want = {p: run([binary, "report", "--db", "single.db", "--period", p]).stdout
            for p in ("month", "quarter")}

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        workers = sorted(client.scheduler_info()["workers"])
        check(len(workers) == 2, f"two workers: {workers}")
        check(all(w.startswith("tcp://127.0.0.1:") for w in workers), f"on loopback: {workers}")
        futures = [client.submit(mapper, binary, lexicons, shard, os.getcwd(),
                                 workers=[workers[i % 2]], pure=False)
                   for i, shard in enumerate(shards)]
        results = client.gather(futures)
    pids = {r[0] for r in results}
    check(len(pids) == 2 and os.getpid() not in pids, f"two worker processes ran the mapper: {pids}")
    for i, (_, rc, out, err) in enumerate(results):
        check(rc == 0, f"mapper on shard {i} exited {rc}: {err}")
        check(out.count("\n") == len(shards[i]), f"shard {i}: one line per document")
    with open("mapped.jsonl", "w", encoding="utf-8") as f:
        f.write("".join(r[2] for r in results))
    p = run([binary, "ingest", "--from-jsonl", "mapped.jsonl", "--db", "dask.db"])
    check(f"{len(files)} stored" in p.stderr, p.stderr)
    for period in want:
        got = run([binary, "report", "--db", "dask.db", "--period", period]).stdout
        check(got == want[period], f"Dask run: {period} report differs from a single run")
    print("ok")


if __name__ == "__main__":
    main()
