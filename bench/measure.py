"""Run the three pipelines of the benchmark one after the other and print wall time,
CPU time (user + system, all threads and child processes) and peak RSS for each,
with the ratios the performance issue asks for. Called by bench/run.sh.

    python bench/measure.py CORPUS WORKDIR YUSUAN FLOOR PYTHON
"""

import os
import shutil
import subprocess
import sys
import time


def run(name, argv, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    # yusuan batch exits 1 when some workbook has errors (the corpus has some): fine.
    if code not in (0, 1):
        print(f"{name} failed ({code}):\n{output}", file=sys.stderr)
        sys.exit(1)
    cpu = usage.ru_utime + usage.ru_stime
    rss_mb = usage.ru_maxrss / 1024
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return {"name": name, "wall": wall, "cpu": cpu, "rss": rss_mb, "note": last}


def main():
    corpus, work, yusuan, floor, python = sys.argv[1:6]
    repeat = int(os.environ.get("REPEAT", "5"))
    codes = os.path.join(corpus, "codes.csv")
    files = sum(f.endswith(".xlsx") for _, _, fs in os.walk(corpus) for f in fs)
    reference = os.path.join(os.path.dirname(__file__), "reference.py")
    y_cmd = [yusuan, "batch", corpus, "-o", os.path.join(work, "yusuan"), "--codes", codes,
             "--quiet"]
    f_cmd = [floor, corpus, os.path.join(work, "floor")]
    # The two Rust runs take seconds and vary by a tenth from run to run on a shared
    # machine: they are run REPEAT times, alternately, and the median run is kept.
    ys, fs = [], []
    for _ in range(repeat):
        ys.append(run("1 yusuan batch", y_cmd, os.path.join(work, "yusuan")))
        fs.append(run("3 floor (calamine + rust_xlsxwriter)", f_cmd, os.path.join(work, "floor")))
    median = lambda rs: sorted(rs, key=lambda r: r["wall"])[len(rs) // 2]
    if os.environ.get("REFERENCE", "1") == "0":
        # Memory at scale (COUNT=10000): the openpyxl runs would take a quarter hour.
        print(f"\n{files} workbooks, {os.cpu_count()} cores; median of {repeat} runs\n")
        for r in (median(ys), median(fs)):
            print(f"{r['name']:40} wall {r['wall']:8.2f} s  CPU {r['cpu']:8.2f} s  "
                  f"peak RSS {r['rss']:8.1f} MB")
        return
    runs = [
        median(ys),
        run("2 openpyxl reference", [python, reference, corpus, os.path.join(work, "openpyxl")],
            os.path.join(work, "openpyxl")),
        median(fs),
        run("2b openpyxl reference, read_only",
            [python, reference, corpus, os.path.join(work, "openpyxl-ro"), "--read-only"],
            os.path.join(work, "openpyxl-ro")),
    ]
    print(f"\n{files} workbooks, {os.cpu_count()} cores; yusuan and floor: median of {repeat} runs\n")
    print(f"{'pipeline':40} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for r in runs:
        print(f"{r['name']:40} {r['wall']:8.2f} {r['cpu']:8.2f} {r['rss']:12.1f}")
    y, p, f, pro = runs
    print(f"\nopenpyxl / yusuan (wall): {p['wall'] / y['wall']:.1f}×   (target ≥ 20×)")
    print(f"openpyxl read_only / yusuan (wall): {pro['wall'] / y['wall']:.1f}×")
    print(f"yusuan / floor    (wall): {y['wall'] / f['wall']:.2f}×  (target ≤ 1.5×)")
    print(f"yusuan peak RSS: {y['rss']:.1f} MB (target < 200 MB)")
    for r in runs:
        print(f"  {r['name']}: {r['note']}")


if __name__ == "__main__":
    main()
