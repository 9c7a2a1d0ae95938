"""Run the pipelines of the benchmark on one corpus, interleaved round by round (so a
busy spell of the machine falls on all of them alike), and print for each the minimum
and the median over the rounds of wall time and CPU time (user + system of every
process), the largest peak RSS of any one of its processes (`/usr/bin/time -v`), and
the ratios the performance issue asks for. Called by bench/run.sh.

    python bench/measure.py CORPUS WORKDIR YUSUAN FLOOR PYTHON

ROUNDS (default 5) rounds; REFERENCE=0 leaves out the two openpyxl runs (40–50 s each).
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import time


def run(argv, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-v"] + argv, capture_output=True)
    wall = time.monotonic() - start
    err = proc.stderr.decode("utf-8", "replace")
    # yusuan batch exits 1 when some workbook has errors (the corpus has some): fine.
    if proc.returncode not in (0, 1):
        print(f"{argv[0]} failed ({proc.returncode}):\n{err[-2000:]}", file=sys.stderr)
        sys.exit(1)
    field = lambda name: float(re.search(rf"{name}: ([\d.]+)", err).group(1))
    cpu = field(r"User time \(seconds\)") + field(r"System time \(seconds\)")
    rss = field(r"Maximum resident set size \(kbytes\)") / 1024
    out_lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    return {"wall": wall, "cpu": cpu, "rss": rss, "note": out_lines[-1] if out_lines else ""}


def main():
    corpus, work, yusuan, floor, python = sys.argv[1:6]
    rounds = int(os.environ.get("ROUNDS", "5"))
    here = os.path.dirname(os.path.abspath(__file__))
    codes = os.path.join(corpus, "codes.csv")
    files = sum(f.endswith(".xlsx") for _, _, fs in os.walk(corpus) for f in fs)
    out = lambda name: os.path.join(work, name)
    pipelines = [
        ("yusuan batch", [yusuan, "batch", corpus, "-o", out("yusuan"), "--codes", codes,
                          "--quiet"], out("yusuan")),
        ("floor (calamine + rust_xlsxwriter, zip level 1)", [floor, corpus, out("floor")],
         out("floor")),
        ("peer: python-calamine + XlsxWriter", [python, os.path.join(here, "peer.py"),
                                                corpus, out("peer")], out("peer")),
    ]
    if os.environ.get("REFERENCE", "1") != "0":
        pipelines += [
            ("openpyxl reference", [python, os.path.join(here, "reference.py"), corpus,
                                    out("openpyxl")], out("openpyxl")),
            ("openpyxl reference, read_only", [python, os.path.join(here, "reference.py"),
                                               corpus, out("openpyxl-ro"), "--read-only"],
             out("openpyxl-ro")),
        ]
    results = {name: [] for name, _, _ in pipelines}
    for i in range(rounds):
        for name, argv, o in pipelines:
            results[name].append(run(argv, o))
        print(f"round {i + 1}/{rounds} done", file=sys.stderr)
    print(f"\n{files} workbooks, {os.cpu_count()} cores, {rounds} interleaved rounds\n")
    print(f"| pipeline | wall min | wall median | CPU min | CPU median | peak RSS |")
    print(f"|---|---|---|---|---|---|")
    summary = {}
    for name, rs in results.items():
        w = [r["wall"] for r in rs]
        c = [r["cpu"] for r in rs]
        m = max(r["rss"] for r in rs)
        summary[name] = (min(w), statistics.median(w), min(c), statistics.median(c), m)
        print(f"| {name} | {min(w):.2f} s | {statistics.median(w):.2f} s | {min(c):.2f} s "
              f"| {statistics.median(c):.2f} s | {m:.1f} MB |")
    y = summary["yusuan batch"]
    print()
    for name, s in summary.items():
        if name == "yusuan batch":
            continue
        print(f"- {name} / yusuan: wall {s[1] / y[1]:.2f}× (median), CPU {s[3] / y[3]:.2f}× (median)")
    print(f"\nlast lines: " + "; ".join(f"{n}: {rs[-1]['note']}" for n, rs in results.items()))


if __name__ == "__main__":
    main()
