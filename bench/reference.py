"""The reference pipeline a bureau would write today with openpyxl.

For every workbook of a folder, on all cores (a process pool, like `yusuan batch`):

1. read every sheet (`load_workbook(data_only=True)`, the usual call; `--read-only`
   uses openpyxl's faster streaming reader instead);
2. check the main identities:
   - 表1: 收入总计 = 支出总计;
   - every 科目 table (a 科目编码 header): 合计 = the sum of its 类 (3-digit) rows,
     and each 类 = the sum of its 款 (5-digit) rows, in every amount column;
3. write a formatted copy (title merged and bold, thin borders, #,##0.00 amounts,
   column widths, repeated header rows when printed).

It prints one line: files, files with a finding, and findings.

    python bench/reference.py INDIR OUTDIR [--jobs N] [--read-only]
"""

import argparse
import os
import sys
from decimal import Decimal
from multiprocessing import Pool

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE = Font(name="SimSun", size=16, bold=True)
HEADER = Font(name="SimSun", size=10, bold=True)
BODY = Font(name="SimSun", size=10)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MONEY = "#,##0.00"


def money(v):
    """A cell as exact money (float cells are rounded to cents, as yusuan does)."""
    if v is None or v == "":
        return Decimal(0)
    if isinstance(v, (int, float)):
        return Decimal(repr(v)).quantize(Decimal("0.01"))
    try:
        return Decimal(str(v).replace(",", "").strip()).quantize(Decimal("0.01"))
    except Exception:
        return None


def text(v):
    return "" if v is None else str(v).strip()


def check_balance(rows):
    """表1: the 收入总计 row's income amount equals the 支出总计 amount."""
    income = expenditure = None
    for r in rows:
        for i, v in enumerate(r):
            t = text(v).replace(" ", "")
            if t == "收入总计" and i + 1 < len(r):
                income = money(r[i + 1])
            if t == "支出总计" and i + 1 < len(r):
                expenditure = money(r[i + 1])
    if income is not None and expenditure is not None and income != expenditure:
        return [f"表1 收入总计 {income} ≠ 支出总计 {expenditure}"]
    return []


def check_classified(name, rows):
    """合计 = Σ 类 and 类 = Σ 款, column by column."""
    header = next((i for i, r in enumerate(rows) if text(r[0]) == "科目编码"), None)
    if header is None:
        return []
    ncols = len(rows[header])
    total = None
    lines = []
    for r in rows[header + 1 :]:
        code = text(r[0])
        if code == "合计":
            total = r
        elif code.isdigit():
            lines.append((code, r))
    findings = []
    for col in range(2, ncols):
        classes = [money(r[col]) for c, r in lines if len(c) == 3]
        if total is not None and None not in classes:
            if money(total[col]) != sum(classes, Decimal(0)):
                findings.append(f"{name} 合计 ≠ 各类之和（第 {col + 1} 列）")
        for code, r in lines:
            if len(code) != 3:
                continue
            kuan = [money(x[col]) for c, x in lines if len(c) == 5 and c.startswith(code)]
            if kuan and None not in kuan and money(r[col]) != sum(kuan, Decimal(0)):
                findings.append(f"{name} {code} ≠ 其下各款之和（第 {col + 1} 列）")
    return findings


def write_copy(sheets, out_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name[:31])
        width = max((len(r) for r in rows), default=1)
        widths = [8] * width
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r, start=1):
                if v is None:
                    continue
                c = ws.cell(row=i, column=j, value=v)
                if i == 1:
                    c.font = TITLE
                    c.alignment = CENTER
                    continue
                c.border = BORDER
                if isinstance(v, (int, float)):
                    c.number_format = MONEY
                    c.font = BODY
                else:
                    c.font = HEADER if i <= 4 else BODY
                    widths[j - 1] = min(60, max(widths[j - 1], 2 * len(str(v)) + 2))
        if width > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        ws.print_title_rows = "1:4"
        ws.page_setup.orientation = "landscape" if width > 6 else "portrait"
    wb.save(out_path)


def check(sheets):
    """Every finding of the checks on a workbook's sheets."""
    findings = []
    for name, rows in sheets:
        rows = [r for r in rows if r]
        if not rows:
            continue
        if name == "表1":
            findings += check_balance(rows)
        findings += check_classified(name, rows)
    return findings


def read(src, read_only):
    wb = openpyxl.load_workbook(src, read_only=read_only, data_only=True)
    sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb]
    wb.close()
    return sheets


def pipeline(read, write, src, dst):
    """Read `src`, check it and write its copy to `dst`: (src, findings)."""
    try:
        sheets = read(src)
    except Exception as e:  # an unreadable file is one row of the summary, as in yusuan
        return src, [f"无法读取：{e}"]
    findings = check(sheets)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    write(sheets, dst)
    return src, findings


def process(job):
    src, dst, read_only = job
    return pipeline(lambda path: read(path, read_only), write_copy, src, dst)


def run(process, read_only_option=True):
    """Parse the command line, run `process` on every workbook in a process pool, and
    print one line: files, files with a finding, and findings."""
    ap = argparse.ArgumentParser()
    ap.add_argument("indir")
    ap.add_argument("outdir")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    if read_only_option:
        ap.add_argument("--read-only", action="store_true")
    a = ap.parse_args()
    jobs = []
    for root, _, files in os.walk(a.indir):
        for f in sorted(files):
            if f.endswith(".xlsx"):
                src = os.path.join(root, f)
                rel = os.path.relpath(src, a.indir)
                dst = os.path.join(a.outdir, rel[:-5] + ".公开.xlsx")
                jobs.append((src, dst, a.read_only) if read_only_option else (src, dst))
    with Pool(a.jobs) as pool:
        results = pool.map(process, jobs, chunksize=4)
    flagged = sum(1 for _, f in results if f)
    total = sum(len(f) for _, f in results)
    print(f"{len(results)} files, {flagged} with findings, {total} findings")
    return 0


if __name__ == "__main__":
    sys.exit(run(process))
