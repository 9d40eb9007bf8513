"""Every page accounts for itself, end to end with the real OCR: a form scanned into a draft is
named and makes the result partial (its own exit code, every row still written); a table whose
header names no task column is an error that quotes the header cells read."""

import json
from pathlib import Path

import numpy as np
import pytest
import scangen
from PIL import Image, ImageDraw, ImageFont

from pipeline.__main__ import main
from pipeline.errors import PARTIAL_RESULT_EXIT, HeaderNotMapped

#: Rendering resolution of these drafts: low, to keep the OCR quick.
DPI = 150
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def ruled_form(cells: list[list[str]], widths: list[int], dpi: int = DPI) -> Image.Image:
    """An A4 page holding one ruled table of the given texts (a form, not a 职责分工 table)."""
    page = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, int(dpi * 11 / 72))
    x0, y0, row_h = int(dpi * 0.9), int(dpi * 1.5), int(dpi * 0.45)
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + int(w * dpi))
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            draw.text((xs[c] + 12, y0 + r * row_h + row_h // 4), text, font=font, fill=0)
    for r in range(len(cells) + 1):
        draw.line([(xs[0], y0 + r * row_h), (xs[-1], y0 + r * row_h)], fill=0, width=2)
    for x in xs:
        draw.line([(x, y0), (x, y0 + len(cells) * row_h)], fill=0, width=2)
    return page


def write_pdf(pages: list[Image.Image], path: Path) -> Path:
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=DPI)
    return path


@pytest.fixture(scope="module")
def draft_with_form(tmp_path_factory, truth_rows) -> tuple[Path, int]:
    """Two pages of the draft, then a fee form: the form's page is the third."""
    rows = truth_rows[:5]
    pages = [im.convert("L") for im in scangen.render_pages(rows, scangen.ScanStyle(dpi=DPI))]
    form = ruled_form([["收费项目", "金额（元）", "备注"], ["住宿费", "300", ""], ["交通费", "120", "往返"]],
                      [2.5, 2.0, 2.0])
    path = write_pdf([*pages, form], tmp_path_factory.mktemp("partial") / "with_form.pdf")
    return path, len(rows)


def test_a_form_page_gives_a_partial_result_with_every_row(draft_with_form, tmp_path, capsys):
    path, n_rows = draft_with_form
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--workers", "1"])
    captured = capsys.readouterr()
    assert code == PARTIAL_RESULT_EXIT
    form_page = sum(1 for _ in scangen.render_pages(scangen.load_truth()[:5], scangen.ScanStyle(dpi=DPI))) + 1
    assert f"1 page not read: p{form_page}" in captured.out
    assert f"warning: {path}" in captured.err and f"p{form_page}" in captured.err
    csv_rows = (out / "with_form.csv").read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(csv_rows) == 1 + n_rows
    record = json.loads((out / "with_form.run.json").read_text(encoding="utf-8"))
    statuses = {p["page"]: p["status"] for p in record["pages"]}
    assert statuses[form_page] == "not-read" and all(s == "read" for k, s in statuses.items() if k != form_page)
    # Each page says how its orientation was decided, and the draft which knowledge the repair used.
    assert all(p["rotation"] == 0 and not p["orientation_weak"] and "upright as scanned" in p["orientation"]
               for p in record["pages"])
    assert record["knowledge"].startswith("青浦区 (title)"), record["knowledge"]
    html = (out / "with_form.review.html").read_text(encoding="utf-8")
    assert 'id="scope"' in html and "方向" in html
    assert f'id="problem-p{form_page}"' in html and "未能读取 1 页" in html
    assert html.index('id="problems"') < html.index('id="flags"')  # shown first


def test_a_header_without_a_task_column_is_an_error_quoting_it(tmp_path, capsys):
    form = ruled_form([["序号", "项目", "金额"], ["1", "住宿费", "300"], ["2", "交通费", "120"]], [1.0, 2.5, 2.0])
    path = write_pdf([form], tmp_path / "form_only.pdf")
    debug = tmp_path / "debug"
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--debug", str(debug)])
    err = capsys.readouterr().err
    assert code == HeaderNotMapped.exit_code
    [line] = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert "序号 | 项目 | 金额" in line and "工作要求" in line
    assert (debug / "form_only.p1.grid.png").exists()  # the page kept for the clerk
    assert not (tmp_path / "out" / "form_only.csv").exists()
    # the pages that showed no table at all are named in the same line
    blank = Image.new(form.mode, form.size, "white")
    two = write_pdf([blank, form], tmp_path / "blank_then_form.pdf")
    assert main(["run", str(two), "--out", str(tmp_path / "out2"), "--workers", "1"]) == HeaderNotMapped.exit_code
    [line] = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error:")]
    assert line.endswith("; no ruled table on p1"), line


def test_ruled_form_is_a_real_table(tmp_path):
    """The fixture itself: the form's rulings are found as a 3 x 3 grid by the grid stage."""
    from pipeline.grid import detect_grid
    from pipeline.models import Page
    from pipeline.settings import Settings

    form = np.asarray(ruled_form([["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]], [1.0, 1.0, 1.0]))
    grid = detect_grid(Page(0, form, DPI), Settings())
    assert (len(grid.row_lines), len(grid.col_lines)) == (4, 4)


def test_margin_text_reads_the_title_above_the_table(truth_rows):
    from pipeline.grid import detect_grid
    from pipeline.models import Page
    from pipeline.ocr import get_engine, read_margin_text
    from pipeline.settings import Settings

    image = np.asarray(scangen.render_pages(truth_rows[:3], scangen.ScanStyle(dpi=DPI))[0].convert("L"))
    page = Page(0, image, DPI)
    grid = detect_grid(page, Settings())
    lines = read_margin_text(page, grid, get_engine(Settings()))
    assert any("职责分工" in line and "青浦区" in line for line in lines), lines


def _read_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_other_offices_columns_end_to_end(tmp_path, capsys):
    """序号 | 重点任务 | 责任单位 | 完成时限 with the lead note in the header: real OCR on a drawn page."""
    cells = [["序号", "重点任务", "责任单位（列第一位的为牵头单位）", "完成时限"],
             ["1", "完善防汛应急预案。", "区水务局、区应急局", "2027年底前"],
             ["2", "开展河道清淤。", "区水务局", "每年汛期前"]]
    path = write_pdf([ruled_form(cells, [0.6, 2.4, 2.8, 1.2])], tmp_path / "tasks.pdf")
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert code == 0, capsys.readouterr().err
    rows = _read_csv(tmp_path / "out" / "tasks.csv")
    assert list(rows[0]) == ["序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位", "完成时限"]
    assert [(r["序号"], r["工作要求"], r["牵头单位"], r["配合单位"], r["完成时限"]) for r in rows] == [
        ("1", "完善防汛应急预案。", "区水务局", "区应急局", "2027年底前"),
        ("2", "开展河道清淤。", "区水务局", "", "每年汛期前")]
    long = _read_csv(tmp_path / "out" / "tasks.long.csv")
    assert {(r["序号"], r["单位"], r["角色"]) for r in long} == {
        ("1", "区水务局", "牵头"), ("1", "区应急局", "配合"), ("2", "区水务局", "牵头")}


def test_single_responsible_column_without_the_note_stays_responsible(tmp_path, capsys):
    cells = [["序号", "工作任务", "责任部门", "备注"],
             ["1", "完善防汛应急预案。", "区水务局、区应急局", ""],
             ["2", "开展河道清淤。", "区水务局", "试点"]]
    path = write_pdf([ruled_form(cells, [0.6, 2.6, 2.4, 1.2])], tmp_path / "resp.pdf")
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert code == 0, capsys.readouterr().err
    rows = _read_csv(tmp_path / "out" / "resp.csv")
    assert list(rows[0])[6:] == ["责任单位", "备注"]
    assert [(r["牵头单位"], r["责任单位"], r["备注"]) for r in rows] == [
        ("", "区水务局、区应急局", ""), ("", "区水务局", "试点")]
    matrix = _read_csv(tmp_path / "out" / "resp.matrix.csv")
    assert matrix[0]["区应急局"] == "责任"


@pytest.fixture(scope="module")
def songjiang_lost_page(tmp_path_factory) -> Path:
    """A 1-bit copy at light toner of the held-out Songjiang plan's Word table (tests/wordscan.py
    bilevel-200, seed 16; its last two pages): the last page, the table's header row and item 28, kept
    only specks of its rulings."""
    wordscan = pytest.importorskip("wordscan")
    from eval_suite import HELD_OUT, _title

    path = tmp_path_factory.mktemp("lost") / "songjiang.pdf"
    wordscan.render_word_scan(scangen.load_truth(HELD_OUT["songjiang"]), path, "bilevel-200", _title("songjiang"),
                              seed=16, only=[4, 5])
    return path


def test_a_page_that_lost_its_rulings_is_read_in_the_columns_of_the_page_before(songjiang_lost_page, tmp_path,
                                                                                capsys):
    """No table was found on the last page, and its one item was left out while the page said 'no ruled
    table' and the run ended ok (seed 16); then the page was named not read (exit 13), its row still
    lost. Its text stands in the columns of page 1's table: it is read in them, said so, and the item is
    there with its agencies."""
    out = tmp_path / "out"
    assert main(["run", str(songjiang_lost_page), "--out", str(out)]) == 0
    assert "p2 (in p1's columns)" in capsys.readouterr().out
    record = json.loads((out / "songjiang.run.json").read_text(encoding="utf-8"))
    assert [p["status"] for p in record["pages"]] == ["read", "read"]
    assert [p["columns_from_page"] for p in record["pages"]] == [None, 1]
    assert "按第 1 页表格的列线读出" in (out / "songjiang.review.html").read_text(encoding="utf-8")
    rows = _read_csv(out / "songjiang.csv")
    last = [r for r in rows if r["序号"] == "28"]
    assert len(last) == 1 and last[0]["牵头单位"] == "区水务局" and last[0]["配合单位"].startswith("区发改委")


def test_a_page_whose_table_lost_its_rulings_is_not_read_not_tableless(songjiang_lost_page, tmp_path, capsys):
    """The same pages, the last scanned at another size (97%): no other page of its size holds a table to
    read it in. Its text shows the table's header row: the page is not read, named, and the result is
    partial, the rows read still written."""
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(songjiang_lost_page))
    pages = [pdf[k].render(scale=200 / 72).to_pil().convert("L") for k in range(len(pdf))]
    pages[1] = pages[1].resize((round(pages[1].width * 0.97), round(pages[1].height * 0.97)))
    path = tmp_path / "songjiang.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=200)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == PARTIAL_RESULT_EXIT
    assert "1 page not read: p2, the table's header row is printed here" in capsys.readouterr().out
    record = json.loads((out / "songjiang.run.json").read_text(encoding="utf-8"))
    assert [p["status"] for p in record["pages"]] == ["read", "not-read"]
    assert len((out / "songjiang.csv").read_text(encoding="utf-8-sig").strip().splitlines()) > 1


def test_a_page_of_prose_that_names_the_columns_is_no_table(tmp_path, truth_rows):
    """A page of the plan's body text after its table, a sentence naming 工作要求, 牵头单位 and 配合单位
    among other words: no table there, named so, and not an error."""
    pages = [im.convert("L") for im in scangen.render_pages(truth_rows[:5], scangen.ScanStyle(dpi=DPI))]
    prose = Image.new("L", pages[0].size, 255)
    draw = ImageDraw.Draw(prose)
    font = ImageFont.truetype(FONT, int(DPI * 12 / 72))
    for k, line in enumerate(["各牵头单位、配合单位要按照工作要求抓好落实，", "确保各项任务按期完成。",
                              "按照工作要求，牵头单位和配合单位每季度报送进展。"]):
        draw.text((int(DPI * 1.0), int(DPI * 1.5) + k * int(DPI * 0.4)), line, font=font, fill=0)
    path = write_pdf([*pages, prose], tmp_path / "with_prose.pdf")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1"]) == 0
    record = json.loads((out / "with_prose.run.json").read_text(encoding="utf-8"))
    assert record["pages"][-1]["status"] == "no-table"


def test_a_lost_table_whose_ruling_stubs_tie_its_lines_still_shows_its_header(tmp_path):
    """The same Word table's last page on a 1-bit copy at seed 20 (the header row and item 28): pieces
    of its column rulings were left, one line of the header tall and more, and they tied the header to
    the lines under it into one band of the page's text; the band was read as nothing and the page
    said 'no ruled table' while its item was lost. Upright strokes taller than a line are set aside
    when the page's text is cut into lines (`body._without_upright_strokes`): the header row is read."""
    wordscan = pytest.importorskip("wordscan")
    from eval_suite import HELD_OUT, _title

    from pipeline.clean import clean_page
    from pipeline.ingest import load_page, open_document
    from pipeline.ocr import get_engine
    from pipeline.ocr.body import body_lines
    from pipeline.profile import default_profile
    from pipeline.settings import Settings

    path = tmp_path / "songjiang_last.pdf"
    wordscan.render_word_scan(scangen.load_truth(HELD_OUT["songjiang"]), path, "bilevel-200", _title("songjiang"),
                              seed=20, only=[5])
    settings = Settings()
    engine = get_engine(settings)
    page, _ = clean_page(load_page(open_document(path, settings), 0, settings), settings, engine)
    lines = body_lines(page, engine)
    assert default_profile().header_row_in(lines)
    assert any("联合" in line for line in lines)  # the item's last line is read as before
