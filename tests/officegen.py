"""Office drafts written from a truth CSV: Word tables with merged cells, Excel sheets with merged
ranges, plans with inline duty annotations, and old formats saved by LibreOffice.

The tests read them back and compare with the truth; `make sample` writes raw/'s samples with
`python tests/officegen.py OUT_DIR`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


HEADERS = ("一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")
TITLE = "关于进一步加强学校安全工作的职责分工"
#: Column widths in cm of the five-column table on A4 portrait (16 cm of text width).
WIDTHS_CM = (2.4, 2.8, 6.0, 2.2, 2.6)
#: The four phrasings of an inline duty (see pipeline/inline.py).
PHRASINGS = ("key-value", "first-is-lead", "verbs", "by-division")
#: Width in cm of a 序号 column (WordStyle.numbered); the other columns shrink to keep the total.
SEQ_WIDTH_CM = 1.0


@dataclass(frozen=True)
class WordStyle:
    """How an office sets the Word table; the defaults are write_docx's plain table (10.5 pt 五号)."""

    #: Body size in points: 14 is 四号, as official documents (公文) set their text.
    body_pt: float = 10.5
    #: Exact line spacing in points (公文 fix it at 28 pt), else Word's single spacing.
    line_pt: float | None = None
    #: East Asian face of the body, else write_docx's `faces` (or 宋体).
    body_face: str | None = None
    #: A 序号 column first (SEQ_WIDTH_CM, merged down each item's rows), 二级 then printed without
    #: its "N." prefix: many drafts number items in a column of their own.
    numbered: bool = False
    #: Every cell's text centred, across and down (w:jc and w:vAlign center), as many offices set tables.
    centered: bool = False
    #: A header of two rows: 责任单位 across the two agency columns in the first, 牵头单位 and 配合单位
    #: under it in the second, every other heading merged down both; both rows repeat on each page.
    two_row_header: bool = False
    #: Consecutive rows with the same non-empty 牵头单位 share one cell merged down them (vMerge), the
    #: name written once; the same for 配合单位 (across items too, as a clerk merges equal cells).
    merge_agencies: bool = False
    #: The table cut into two Word tables before its middle row (len(rows) // 2), the second with its
    #: own header: write_docx's `split_at` (an explicit `split_at` wins).
    split_at_half: bool = False
    #: False: items numbered nowhere, 二级 printed without its "N." prefix and no 序号 column (some
    #: drafts number nothing); not with `numbered`.
    item_numbers: bool = True

    def __post_init__(self) -> None:
        if self.numbered and not self.item_numbers:
            raise ValueError("a numbered style prints its item numbers: numbered needs item_numbers")


#: Named styles, printed in make eval's document/word-STYLE cases (tests/wordscan.py).
WORD_STYLES: dict[str, WordStyle] = {
    "plain": WordStyle(),
    "14pt": WordStyle(body_pt=14, line_pt=28, body_face="AR PL UMing CN"),
    "numbered": WordStyle(numbered=True),
    "centered": WordStyle(centered=True),
    "two-row-header": WordStyle(two_row_header=True),
    "merged-agencies": WordStyle(merge_agencies=True),
    "split-table": WordStyle(split_at_half=True),
    "no-numbers": WordStyle(item_numbers=False),
}
#: The heading a two-row header prints over the two agency columns.
RESPONSIBLE_HEADER = "责任单位"


def _runs(rows: Sequence[dict[str, str]], column: str) -> list[tuple[int, int]]:
    """(first, last) row index of each run of equal values (an item's or group's merged cell)."""
    runs, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][column] != rows[start][column] or (
                column == "二级指标" and rows[i]["序号"] != rows[start]["序号"]):
            runs.append((start, i - 1))
            start = i
    return runs


def agency_runs(rows: Sequence[dict[str, str]], column: str) -> list[tuple[int, int]]:
    """(first, last) row index of each run of consecutive rows with the same non-empty `column`
    value (WordStyle.merge_agencies merges each down its rows); a row on its own is a run of one."""
    runs, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or not rows[i][column] or rows[i][column] != rows[start][column]:
            runs.append((start, i - 1))
            start = i
    return runs


def _item_label(row: dict[str, str]) -> str:
    return f"{row['序号']}.{row['二级指标']}"


def write_docx(rows: Sequence[dict[str, str]], out: Path, split_at: int | None = None,
               repeat_header_in_split: bool = True, tracked_insert: bool = False, title: str = TITLE,
               a4: bool = False, faces: tuple[str, str] | None = None, style: WordStyle = WordStyle()) -> Path:
    """The five-column table in a Word file: 一级 and 二级 cells merged down their rows (vMerge),
    the header row marked to repeat on every page, a title and a note around it. `split_at`:
    the table is cut into two Word tables before that row (the second with or without header).
    `a4`: A4 paper with 2.5 cm margins, as Chinese offices print (python-docx's default is Letter);
    `faces`: the (Chinese, Latin) fonts of the text, else 宋体 and Word's default Latin face;
    `style`: size, spacing, face, a 序号 column, centred cells, a two-row header, merged agency
    cells, a cut at the middle row, no item numbers (WordStyle); each table of a cut takes it all."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    if a4:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.5)
    normal = document.styles["Normal"]
    normal.font.size = Pt(style.body_pt)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), style.body_face or (faces[0] if faces else "宋体"))
    if faces:
        normal.font.name = faces[1]
    if style.line_pt is not None:
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = Pt(style.line_pt)
    document.add_paragraph(title if title.startswith("《") else f"《{title}》")
    headers, widths = HEADERS, WIDTHS_CM
    if style.numbered:
        scale = (sum(WIDTHS_CM) - SEQ_WIDTH_CM) / sum(WIDTHS_CM)
        headers, widths = ("序号", *HEADERS), (SEQ_WIDTH_CM, *(w * scale for w in WIDTHS_CM))
    off = int(style.numbered)
    if split_at is None and style.split_at_half:
        split_at = len(rows) // 2
    parts = [list(rows)] if split_at is None else [list(rows[:split_at]), list(rows[split_at:])]
    for k, part in enumerate(parts):
        with_header = k == 0 or repeat_header_in_split
        top = (1 + style.two_row_header) * with_header
        table = document.add_table(rows=len(part) + top, cols=len(headers))
        table.style = "Table Grid"
        table.autofit = False
        for c, width in enumerate(widths):
            table.columns[c].width = Cm(width)
            for cell in table.columns[c].cells:
                cell.width = Cm(width)
        if with_header:
            if style.two_row_header:
                _two_row_header(table, headers)
            else:
                for c, head in enumerate(headers):
                    table.cell(0, c).text = head
            for header_row in table.rows[:top]:
                tr_pr = header_row._tr.get_or_add_trPr()
                repeat = OxmlElement("w:tblHeader")
                repeat.set(qn("w:val"), "true")
                tr_pr.append(repeat)
        merged = [("一级指标", off), ("二级指标", off + 1), *([("序号", 0)] if style.numbered else [])]
        for column, c in merged:
            for first, last in _runs(part, "二级指标" if column == "序号" else column):
                cell = table.cell(top + first, c)
                if last > first:
                    cell = cell.merge(table.cell(top + last, c))
                row = part[first]
                if column == "二级指标":
                    cell.text = row[column] if style.numbered or not style.item_numbers else _item_label(row)
                else:
                    cell.text = row[column]
        single = (("工作要求", off + 2),) if style.merge_agencies else (
            ("工作要求", off + 2), ("牵头单位", off + 3), ("配合单位", off + 4))
        for i, row in enumerate(part):
            for column, c in single:
                table.cell(top + i, c).text = row[column]
        if style.merge_agencies:  # merged before their text is written: a merge gathers the cells' text
            for column, c in (("牵头单位", off + 3), ("配合单位", off + 4)):
                for first, last in agency_runs(part, column):
                    cell = table.cell(top + first, c)
                    if last > first:
                        cell = cell.merge(table.cell(top + last, c))
                    cell.text = part[first][column]
        if tracked_insert and k == 0:
            _track_last_sentence(table.cell(top, off + 2))
        if style.centered:
            _center_cells(table)
    document.add_paragraph("注：各街镇按属地职责配合落实。")
    document.save(str(out))
    return out


def _two_row_header(table, headers: Sequence[str]) -> None:
    """A header over the table's first two rows: RESPONSIBLE_HEADER across the last two columns
    above their headings (牵头单位, 配合单位), every other heading merged down both rows."""
    n = len(headers)
    for c, head in enumerate(headers[:-2]):
        table.cell(0, c).merge(table.cell(1, c)).text = head
    table.cell(0, n - 2).merge(table.cell(0, n - 1)).text = RESPONSIBLE_HEADER
    table.cell(1, n - 2).text, table.cell(1, n - 1).text = headers[-2:]


def _center_cells(table) -> None:
    """Centre every cell's paragraphs and the text down the cell (each w:tc, merged ones too)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.table import _Cell

    for tc in table._tbl.iter(qn("w:tc")):
        cell = _Cell(tc, table)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _track_last_sentence(cell) -> None:
    """Wrap the cell's text in a tracked insertion (w:ins), as a reviewer's edit leaves it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = cell.paragraphs[0]._p
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "clerk")
    for run in list(paragraph.findall(qn("w:r"))):
        paragraph.remove(run)
        ins.append(run)
    paragraph.append(ins)


def write_xlsx(rows: Sequence[dict[str, str]], out: Path) -> Path:
    """The table in a worksheet: a title row merged across, 序号, 一级 and 二级 merged down."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.active
    ws.title = "职责分工"
    header = ("序号", *HEADERS)
    ws.cell(row=1, column=1, value=TITLE)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for c, title in enumerate(header, start=1):
        ws.cell(row=2, column=c, value=title)
    top = 3
    for i, row in enumerate(rows):
        values = (int(row["序号"]), row["一级指标"], row["二级指标"], row["工作要求"], row["牵头单位"], row["配合单位"])
        for c, value in enumerate(values, start=1):
            ws.cell(row=top + i, column=c, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    for column, c in (("一级指标", 2), ("二级指标", 3), ("二级指标", 1)):
        for first, last in _runs(rows, column):
            if last > first:
                ws.merge_cells(start_row=top + first, start_column=c, end_row=top + last, end_column=c)
    for letter, width in zip("ABCDEF", (6, 16, 22, 60, 20, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.cell(row=top + len(rows) + 1, column=1, value="注：各街镇按属地职责配合落实。")
    wb.save(str(out))
    return out


def annotation(row: dict[str, str], phrasing: str) -> str:
    """The duty annotation of a truth row in one of the four phrasings."""
    lead, support = row["牵头单位"], row["配合单位"]
    if phrasing == "key-value":
        return f"（牵头单位：{lead}；配合单位：{support}）" if support else f"（牵头单位：{lead}）"
    if phrasing == "first-is-lead":
        return f"（责任单位：{'、'.join(t for t in (lead, support) if t)}，列第一位的为牵头单位）"
    if phrasing == "verbs":
        return f"（{lead}牵头，{support}配合）" if support else f"（{lead}牵头）"
    return f"（{lead}牵头，{support}等按职责分工负责）" if support else f"（{lead}负责）"


def _phrasing(row: dict[str, str], k: int) -> str:
    """Phrasings in turn; the first-is-lead one only for a row with one lead (it names one)."""
    phrasing = PHRASINGS[k % len(PHRASINGS)]
    if phrasing == "first-is-lead" and "、" in row["牵头单位"]:
        return "verbs"
    return phrasing


_CN = "一二三四五六七八九十"


def plan_paragraphs(rows: Sequence[dict[str, str]]) -> list[str]:
    """A plan's body: 一级 as 一、 headings, each item as a （一） heading, each sub-row's task as a
    paragraph ending with its duty annotation (phrasings in turn), an intro and a closing text."""
    out = [f"{TITLE}方案", "为贯彻落实学校安全工作要求，结合本区实际，制定本方案。"]
    group = item = ""
    sub = 0
    for k, row in enumerate(rows):
        if row["一级指标"] != group:
            group, sub = row["一级指标"], 0
            out.append(group)
        if row["序号"] != item:
            item = row["序号"]
            sub += 1
            out.append(f"（{_CN[sub - 1] if sub <= 10 else '十' + _CN[sub - 11]}）{row['二级指标']}")
        out.append(f"{row['工作要求']}{annotation(row, _phrasing(row, k))}")
    out.append("各单位要高度重视，确保各项任务落到实处。")
    return out


def write_plan_docx(rows: Sequence[dict[str, str]], out: Path, extra: Sequence[str] = ()) -> Path:
    """The plan as a Word file of paragraphs (no table); `extra` paragraphs appended."""
    import docx

    document = docx.Document()
    for text in [*plan_paragraphs(rows), *extra]:
        document.add_paragraph(text)
    document.save(str(out))
    return out


def saved_as(path: Path, target: str, out_dir: Path) -> Path:
    """The file saved by LibreOffice in another format (doc, xls, odt, pdf …)."""
    filters = {"doc": "doc:MS Word 97", "xls": "xls:MS Excel 97", "odt": "odt", "pdf": "pdf", "rtf": "rtf"}
    import subprocess
    import tempfile

    from pipeline.convert import soffice_program

    with tempfile.TemporaryDirectory(prefix="officegen-profile-") as profile:
        subprocess.run([soffice_program(), "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", filters[target], "--outdir", str(out_dir), str(path)],
                       check=True, capture_output=True, timeout=120)
    produced = out_dir / f"{path.stem}.{target}"
    if not produced.is_file():
        raise RuntimeError(f"LibreOffice did not write {produced}")
    return produced


def main(argv: Sequence[str] | None = None) -> int:
    """Write raw/'s office samples: a .docx, a .doc, an .xlsx and an inline-duty plan (.docx)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import scangen

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    rows = scangen.load_truth()
    write_docx(rows, args.out_dir / "qingpu_sample_word.docx")
    write_xlsx(rows, args.out_dir / "qingpu_sample_excel.xlsx")
    write_plan_docx(rows, args.out_dir / "qingpu_sample_plan.docx")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        source = write_docx(rows, Path(tmp) / "qingpu_sample_word97.docx")
        saved_as(source, "doc", args.out_dir)
    for name in ("qingpu_sample_word.docx", "qingpu_sample_excel.xlsx", "qingpu_sample_plan.docx",
                 "qingpu_sample_word97.doc"):
        print(args.out_dir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
