#!/usr/bin/env python3
"""Seeds for the `package` fuzz target: every part of every base workbook, as it is.

    python3 fuzz/seed_package.py fuzz/corpus/package

The bases and their parts are enumerated as the target does: the zipped workbooks of at
most 64 KB in samples/, tests/fixtures/formats/ and tests/fixtures/hostile/, sorted by
path, parts in directory order. Each seed is [base, part] followed by the part's bytes.
"""
import pathlib
import sys
import zipfile

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
files = sorted(
    p
    for d in ["samples", "tests/fixtures/formats", "tests/fixtures/hostile"]
    for p in (root / d).iterdir()
    if p.suffix in (".xlsx", ".xlsm", ".ods") and p.stat().st_size <= 64 * 1024
)
bases = []
for f in files:
    try:
        with zipfile.ZipFile(f) as z:
            bases.append((f, [z.read(info) for info in z.infolist()]))
    except zipfile.BadZipFile:
        continue  # the target leaves out what does not unzip cleanly, too
n = 0
for i, (f, parts) in enumerate(bases):
    for j, data in enumerate(parts):
        if len(data) > 1_000_000:
            continue
        (out / f"{f.stem}-{j}").write_bytes(bytes([i % 256, j % 256]) + data)
        n += 1
print(f"{n} seeds from {len(bases)} workbooks in {out}")
