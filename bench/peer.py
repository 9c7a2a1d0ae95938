"""The peer a Python user would reach for today: python-calamine (the same Rust reader
yusuan is built on) to read and XlsxWriter to write, with the same checks and the same
formatted copy as the openpyxl reference (`reference.py`), on all cores.

For every workbook of a folder (a process pool, like `yusuan batch`):

1. read every sheet with `python_calamine.CalamineWorkbook` (`to_python()`);
2. check 表1 收入总计 = 支出总计, and in every 科目 table 合计 = Σ类 and 类 = Σ款 in
   every amount column (exact decimals): `reference.check`, unchanged (through `reference.pipeline`);
3. write a formatted copy with XlsxWriter (title merged and bold, thin borders,
   #,##0.00 amounts, column widths, repeated header rows, orientation): what
   `reference.write_copy` does with openpyxl.

It prints one line: files, files with a finding, and findings.

    python bench/peer.py INDIR OUTDIR [--jobs N]
"""

import os
import sys

import xlsxwriter
from python_calamine import CalamineWorkbook

sys.path.insert(0, os.path.dirname(__file__))
from reference import pipeline, run  # noqa: E402


def read(src):
    wb = CalamineWorkbook.from_path(src)
    sheets = []
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        # calamine gives "" for an empty cell where openpyxl gives None.
        sheets.append((name, [[None if v == "" else v for v in r] for r in rows]))
    return sheets


def write_copy(sheets, out_path):
    wb = xlsxwriter.Workbook(out_path)
    title = wb.add_format({"font_name": "SimSun", "font_size": 16, "bold": True,
                           "align": "center", "valign": "vcenter", "text_wrap": True})
    header = wb.add_format({"font_name": "SimSun", "font_size": 10, "bold": True, "border": 1})
    body = wb.add_format({"font_name": "SimSun", "font_size": 10, "border": 1})
    money = wb.add_format({"font_name": "SimSun", "font_size": 10, "border": 1,
                           "num_format": "#,##0.00"})
    for name, rows in sheets:
        ws = wb.add_worksheet(name[:31])
        width = max((len(r) for r in rows), default=1)
        widths = [8] * width
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if v is None:
                    continue
                if i == 0:
                    continue  # the title is written merged below
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v, money)
                else:
                    ws.write(i, j, v, header if i <= 3 else body)
                    widths[j] = min(60, max(widths[j], 2 * len(str(v)) + 2))
        first = rows[0][0] if rows and rows[0] else None
        if width > 1:
            ws.merge_range(0, 0, 0, width - 1, first, title)
        elif first is not None:
            ws.write(0, 0, first, title)
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        ws.repeat_rows(0, 3)
        if width > 6:
            ws.set_landscape()
    wb.close()


def process(job):
    return pipeline(read, write_copy, *job)


if __name__ == "__main__":
    sys.exit(run(process, read_only_option=False))
