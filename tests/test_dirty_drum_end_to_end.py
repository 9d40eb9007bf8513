"""A dirty copier drum's toner streaks (tests/degrade.py's dirty-drum recipe: augraphy DirtyDrum, not
our renderer) over the held-out Songjiang plan, end to end with the real OCR. The streaks run down the
page and meet the rulings; before they were told from rulings they became columns, and the pages
holding them lost most of their rows (make eval songjiang/dirty-drum: 11 of 35 rows). A streak also
runs across the first page's header row, which reads no task column (作要) and no lead (单位): that
header takes the roles it lacks from the second page's, which repeats it over the same columns. Now
every row is found (the text under the streaks is read less well: requirement CER 3.9% in make eval).
The lines taken for streaks are named per page in run.json and on the review page."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import degrade
import pytest
import scangen
from rapidfuzz.distance import Levenshtein

from pipeline.__main__ import main
from pipeline.evaluate import rows_to_table, score_table

SONGJIANG = Path(__file__).resolve().parent / "data" / "songjiang_flood_v1.csv"
#: As make eval prints it (tests/eval_suite.py TITLES).
TITLE = "《松江区防汛防台能力提升三年行动计划（2027—2029年）》任务分工"
#: The pages (1-based) whose streaks stood up as column lines, and how many on each (a fourth on page 3,
#: at x 1435 inside 配合单位, since ink under dark paper counts by its share of the paper's gray too:
#: imaging.INK_PAPER_SHARE; it is set aside like the others).
STREAKED_PAGES = {1: 1, 3: 4}


def _run_drum(csv_path: Path, title: str, tmp_path: Path) -> tuple[list[dict], list[dict], dict, Path]:
    """The dirty-drum copy of a truth document run end to end: (truth rows, CSV rows, run.json, out)."""
    truth = scangen.load_truth(csv_path)
    draft = degrade.render_degraded(truth, tmp_path / "drum.pdf", "dirty-drum", scangen.VARIANTS["clean-300"],
                                    0, title=title)
    out = tmp_path / "out"
    assert main(["run", str(draft.path), "--out", str(out), "-q"]) == 0
    with (out / "drum.csv").open(encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh))
    return truth, got, json.loads((out / "drum.run.json").read_text(encoding="utf-8")), out


_IMAGE_REPAIR = re.compile(r"agency_by_image: '([^']*)' -> '([^']*)'")


def image_repairs_against_truth(out: Path, stem: str, truth: list[dict]) -> list[tuple[str, str, bool]]:
    """Each agency name the repair took from the image (agency_by_image in X.review.csv): what was
    read, the name, and whether the truth's row (rows in order, as the CSV has them) holds that name."""
    with (out / f"{stem}.review.csv").open(encoding="utf-8-sig") as fh:
        review = list(csv.DictReader(fh))
    order = list(dict.fromkeys((r["序号"], r["sub_row"]) for r in review))
    found = []
    for r in review:
        truth_row = truth[order.index((r["序号"], r["sub_row"]))]
        names = set(re.split("[、\n]", truth_row.get(r["column"], "")))
        found += [(read, name, name in names) for read, name in _IMAGE_REPAIR.findall(r["changes"])]
    return found


def _bare(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def wording_against_truth(out: Path, stem: str, truth: list[dict]) -> tuple[int, int, int]:
    """The characters chosen again by the wording (repair `wording` in X.review.csv), cell by cell:
    how many cells it brought nearer to the truth's text, how many further, how many neither."""
    return repairs_against_truth(out, stem, truth, "wording")


def repairs_against_truth(out: Path, stem: str, truth: list[dict], method: str) -> tuple[int, int, int]:
    """The repairs of one `method` in X.review.csv, cell by cell: how many cells each brought nearer to
    the truth's text, how many further, how many neither."""
    logged = re.compile(rf"{re.escape(method)}: '([^']*)' -> '([^']*)'")
    with (out / f"{stem}.review.csv").open(encoding="utf-8-sig") as fh:
        review = list(csv.DictReader(fh))
    order = list(dict.fromkeys((r["序号"], r["sub_row"]) for r in review))
    nearer = further = neither = 0
    for r in review:
        expected = _bare(truth[order.index((r["序号"], r["sub_row"]))].get(r["column"], ""))
        for before, after in logged.findall(r["changes"]):
            gained = Levenshtein.distance(_bare(before), expected) - Levenshtein.distance(_bare(after), expected)
            nearer, further, neither = nearer + (gained > 0), further + (gained < 0), neither + (gained == 0)
    return nearer, further, neither


@pytest.mark.slow  # make test near 15 minutes: the Qingpu and Putuo drum cases stay in the default run
def test_a_dirty_drum_copy_keeps_its_columns_and_every_row(tmp_path):
    truth, got, record, out = _run_drum(SONGJIANG, TITLE, tmp_path)
    assert [r["序号"] for r in got] == [r["序号"] for r in truth]
    # The strokes under the streaks reach the recognizer (cells.DARK_SURROUNDINGS_SHARE): requirement
    # CER 7.7 -> 3.9% in make eval (README), scored as make eval scores it.
    assert score_table(rows_to_table(got), rows_to_table(truth)).requirement_cer <= 0.05
    assert [(page["status"], page["columns"]) for page in record["pages"]] == [("read", 5)] * 4
    # What the streak left of the header is read differently as the speck rules change (工作要求 read
    # 「作要」 or 「4作要」 while the strokes under streaks were painted out; since they are passed on, 牵头单位
    # read 「23举头i福」): the role it lacks is taken from p2's header either way.
    assert "header completed from p2's, which repeats it: " in record["pages"][0]["message"]
    streaks = {page["page"]: len(page["streaks"]) for page in record["pages"] if page["streaks"]}
    assert streaks == STREAKED_PAGES
    assert "墨粉条纹（不作列线）：x=" in (out / "drum.review.html").read_text(encoding="utf-8")
    # A streak over the first 一级 cell read 酸自是 before 一、 (0.2-0.5 a character): the lexicon has no
    # titles of this document, the lattice hardly supports them, they are taken off and flagged
    # (repair.strays_by_image; make eval songjiang/dirty-drum 一级 68.6 -> 85.7%).
    first_group = [r["一级指标"] for r in got if r["一级指标"].endswith("健全防汛指挥体系")]
    assert first_group == ["一、健全防汛指挥体系"] * 6
    assert "strays_by_image: " in (out / "drum.review.csv").read_text(encoding="utf-8-sig")
    # Characters the recognizer was unsure of under the streaks, chosen again by the wording
    # (pipeline/wording.py): 16 cells nearer the truth, 1 neither, none further at a1377be+ (README).
    nearer, further, _ = wording_against_truth(out, "drum", truth)
    assert nearer >= 14 and further == 0
    # Marks lost under the streaks, put back where the lattice names them (repair.marks_in_gaps): 8
    # cells nearer the truth, 2 neither, none further at 42fb0ef+ (README). No mark repair takes a cell
    # further: a quote put in a gap where a character was lost once made quote_in_turn mirror another.
    nearer, further, _ = repairs_against_truth(out, "drum", truth, "mark_in_gap")
    assert nearer >= 7 and further == 0
    for method in ("quote_in_turn", "dash_in_chain"):
        assert repairs_against_truth(out, "drum", truth, method)[1] == 0, method


def test_qingpu_dirty_drum_reads_one_table_of_every_row_in_its_five_columns(tmp_path):
    """The same recipe over the Qingpu draft. On its last page a streak runs down the page beside the
    ruling between 一级 and 二级; its fragments in the margin had pulled that column line off the ruling
    (x 286 for 280), the two columns were read as one and the page started a second table (32 of 33
    rows). A streak across the vertical 一级 cells read a stray character before the numeral
    (海一、完善…), which the repair takes off, flagged, as the recognizer's lattice hardly supports it
    (repair.strays_by_image)."""
    truth, got, record, out = _run_drum(scangen.TRUTH_CSV, scangen.DEFAULT_TITLE, tmp_path)
    assert [r["序号"] for r in got] == [r["序号"] for r in truth]
    assert [(page["status"], page["columns"]) for page in record["pages"]] == [("read", 5)] * 5
    assert not any("read as one column" in page["message"] for page in record["pages"])
    assert got[0]["一级指标"] == "一、完善学校安全风险预防体系"
    review = (out / "drum.review.csv").read_text(encoding="utf-8-sig")
    assert "strays_by_image: 海" in review
    # Names the streaks garbled, read again on the recognizer's lattice (repair.image_agency): make eval
    # qingpu/dirty-drum made 8 such repairs, all right (lead exact 48.5 → 63.6%); since the strokes under
    # the streaks reach the recognizer (cells.DARK_SURROUNDINGS_SHARE) fewer names are garbled and 2
    # repairs are left to make. None may be wrong.
    repairs = image_repairs_against_truth(out, "drum", truth)
    assert len(repairs) >= 2
    assert [r for r in repairs if not r[2]] == []


def test_a_repeated_header_over_a_streak_continues_the_table(tmp_path):
    """The held-out Putuo plan under a dirty drum at seed 21, pages 1 and 4 (drawn before the rule was
    built): page 4's streak down the 二级 column stood as a ruling under the 二级指标 header cell, and the
    一级 header cell read the title below it (一四开处综援). The page was taken for a second table (the
    whole draft became three, 24 of 38 rows in the first). It continues the table, by geometry: 6 + 11
    rows in one CSV. Since the thirty-fourth session the streak, whose own pieces cover little of the
    table, is told from a ruling though a row ruling ends at it (grid.STREAK_ENDS_MIN_COVER): the page
    names it among its streaks and reads 二级 as one column."""
    from eval_suite import HELD_OUT, _title

    path = tmp_path / "drum.pdf"
    degrade.render_degraded(scangen.load_truth(HELD_OUT["putuo"]), path, "dirty-drum",
                            scangen.VARIANTS["clean-300"], 21, title=_title("putuo"), only=[0, 3])
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    assert not list(out.glob("drum.表*"))
    with (out / "drum.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 17
    pages = json.loads((out / "drum.run.json").read_text(encoding="utf-8"))["pages"]
    assert [(p["status"], p["rows"]) for p in pages] == [("read", 6), ("read", 11)]
    assert pages[1]["streaks"] and "read as 2 columns" not in pages[1]["message"]
