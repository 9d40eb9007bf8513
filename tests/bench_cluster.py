"""Benchmark: the same 20-draft batch through the process pool and a 2-worker LocalCluster, and a
scaling estimate for an archive of 10,000 drafts on N workers (`make bench-cluster`).

Each run is the CLI in a subprocess (`python -m pipeline run RAW --out OUT --force -q`), timed by
wall clock, its process tree's resident memory summed every 0.1 s (peak reported). Runs are
interleaved pool, cluster, cluster, pool, … so both paths see the same load (this machine's 2 cores
are shared with other work: compare the ratios of a round, not absolute times). A run with every
draft up to date (nothing to read) gives each path's fixed cost (interpreter, imports, and for the
cluster starting and stopping it, model load included).

    .venv/bin/python tests/bench_cluster.py [--rounds 2] [--out bench_out/cluster]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import scangen  # noqa: E402

from pipeline.fileio import read_csv_rows  # noqa: E402

#: The batch: 20 drafts of 1-2 pages (truth items per draft, cycled), scans at 150 dpi.
DRAFTS = 20
ITEMS_CYCLE = (3, 9, 6, 9, 4)
SCAN_DPI = 150
#: Worker processes for both paths (one per core here).
WORKERS = 2
#: Seconds between memory samples of the process tree.
SAMPLE_S = 0.1
#: Seconds one benchmark run may take before it is killed (a 20-draft batch takes ~30-60 s here).
RUN_TIMEOUT_S = 900
#: The issue's bound: the cluster path may cost at most this multiple of the pool's wall time.
MAX_RATIO = 1.15
#: The archive the estimate is for, and its assumed mean pages per draft (a district office's
#: draft is a few pages: the shipped sample has 5; this batch has 1.6).
ARCHIVE_DRAFTS = 10_000
ARCHIVE_PAGES_PER_DRAFT = 5
ESTIMATE_WORKERS = (2, 8, 32, 128)
MIB = 1024 * 1024


def make_batch(raw: Path) -> int:
    """Render the batch once (kept between runs); returns its page count."""
    rows = scangen.load_truth()
    style = replace(scangen.VARIANTS["sample"], dpi=SCAN_DPI)
    pages = 0
    for i in range(DRAFTS):
        path = raw / f"draft{i:02d}.pdf"
        items = ITEMS_CYCLE[i % len(ITEMS_CYCLE)]
        if not path.exists():
            scangen.render_draft(rows[:items], path, replace(style, seed=i))
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        pages += len(pdf)
        pdf.close()
    return pages


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants (those still alive)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def run_cli(raw: Path, out: Path, cluster: bool, force: bool = True) -> dict[str, float]:
    """One CLI run: wall seconds and peak tree memory (MiB); exit status must be 0."""
    cmd = [sys.executable, "-m", "pipeline", "run", str(raw), "--out", str(out), "-q", "--workers", str(WORKERS)]
    cmd += ["--force"] if force else []
    cmd += ["--cluster", "local"] if cluster else []
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        if time.perf_counter() - start > RUN_TIMEOUT_S:
            proc.kill()
            raise TimeoutError(f"{' '.join(cmd)} took more than {RUN_TIMEOUT_S} s")
        try:
            peak = max(peak, tree_rss(watched))
        except psutil.NoSuchProcess:
            break
        time.sleep(SAMPLE_S)
    _, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()[-2000:]}")
    return {"wall_s": wall, "peak_mib": peak / MIB}


def client_cost_per_draft(out: Path) -> float:
    """Median seconds the client spends on a draft (structure, repair, writing its outputs): the
    index's per-draft seconds of drafts whose pages were all read ahead by the cluster."""
    seconds = sorted(float(r["seconds"]) for r in read_csv_rows(out / "index.csv") if r["seconds"])
    return statistics.median(seconds[: max(1, len(seconds) // 2)])  # the faster half: pages already there


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved pool/cluster rounds (default 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench_out" / "cluster")
    args = parser.parse_args(argv)
    raw = args.out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    pages = make_batch(raw)
    runs: dict[str, list[dict[str, float]]] = {"pool": [], "cluster": []}
    ratios = []
    for round_no in range(args.rounds):
        order = ("pool", "cluster") if round_no % 2 == 0 else ("cluster", "pool")
        done = {}
        for path in order:
            done[path] = run_cli(raw, args.out / path, cluster=path == "cluster")
            runs[path].append(done[path])
            print(f"round {round_no + 1} {path}: {done[path]['wall_s']:.1f} s, {done[path]['peak_mib']:.0f} MiB",
                  flush=True)
        ratios.append(done["cluster"]["wall_s"] / done["pool"]["wall_s"])
    fixed = {path: run_cli(raw, args.out / path, cluster=path == "cluster", force=False)["wall_s"]
             for path in ("pool", "cluster")}
    med = {path: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "peak_mib")} for path, rs in runs.items()}
    # Worker-seconds per page: the cluster run's time beyond its fixed cost, times its workers.
    per_page = (med["cluster"]["wall_s"] - fixed["cluster"]) * WORKERS / pages
    client_s = client_cost_per_draft(args.out / "cluster")
    estimate = {}
    for n in ESTIMATE_WORKERS:
        worker_bound = ARCHIVE_DRAFTS * ARCHIVE_PAGES_PER_DRAFT * per_page / n
        client_bound = ARCHIVE_DRAFTS * client_s
        estimate[n] = {"hours": (max(worker_bound, client_bound) + fixed["cluster"]) / 3600,
                       "bound": "workers" if worker_bound >= client_bound else "client"}
    result = {"drafts": DRAFTS, "pages": pages, "workers": WORKERS, "rounds": args.rounds, "median": med,
              "ratios_cluster_over_pool": ratios, "fixed_cost_s": fixed, "worker_s_per_page": per_page,
              "client_s_per_draft": client_s, "estimate_10000_drafts": estimate,
              "load_average": psutil.getloadavg()}
    (args.out / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n{DRAFTS} drafts, {pages} pages, {WORKERS} workers, {args.rounds} interleaved rounds "
          f"(load average at the end {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} cores)")
    print("| path | wall s (median) | peak MiB (tree) | fixed cost s |")
    print("|---|--:|--:|--:|")
    for path in ("pool", "cluster"):
        print(f"| {path} | {med[path]['wall_s']:.1f} | {med[path]['peak_mib']:.0f} | {fixed[path]:.1f} |")
    print(f"cluster/pool wall per round: {', '.join(f'{r:.2f}' for r in ratios)} (bound {MAX_RATIO})")
    print(f"per page {per_page:.2f} worker-s; client {client_s:.2f} s per draft")
    print(f"estimate for {ARCHIVE_DRAFTS} drafts x {ARCHIVE_PAGES_PER_DRAFT} pages:")
    for n, e in estimate.items():
        print(f"  {n:4d} workers: {e['hours']:.1f} h ({e['bound']}-bound)")
    return 0 if statistics.median(ratios) <= MAX_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
