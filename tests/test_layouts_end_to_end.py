"""Other offices' column layouts end to end, with the real OCR: each drawn by scangen from a held-out
truth on two pages (a row cut by the page break), run through the CLI, and its CSV checked for
structure: the rows, their 序号, and every column's text in the column it belongs to.

Text is compared by similarity, not equality: these tests are about where things land, the accuracy
of what is read is measured by `tests/eval_suite.py`. An agency cell is checked by its number of
agencies and by being nearer its own column's truth than any other's (repair may rename an agency:
上海市嘉定区民政局 → 区民政局). A text put in the wrong column, a lost or doubled row, a shifted 序号
or a header not mapped fails them. (The single 责任单位 column with the
note in its header is covered by tests/test_pages_accounted.py; here its note is under the title.)
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import scangen
from rapidfuzz.distance import Levenshtein

from pipeline.__main__ import main

DATA = Path(__file__).resolve().parent / "data"
#: Low resolution and a slight skew: small and quick, still a scan.
STYLE = scangen.ScanStyle(dpi=150, skew_deg=0.5)
TITLE = "《测试区某专项工作实施方案》任务分工"
#: A cell read is "the same text" as the truth's at this normalised similarity or more: OCR slips
#: (治→冶, a dropped mark) stay well above it, a text of another row or column falls far below.
MIN_SIMILARITY = 0.8
#: Layout → the held-out truth it is drawn from (the truth has the columns it prints).
CASES = {
    "synonyms": "songjiang_flood_v1.csv",
    "tasks-landscape": "songjiang_flood_v1.csv",
    "single-responsible": "songjiang_flood_v1.csv",
    "two-row": "jiading_elderly_v1.csv",
}


def _two_pages(rows: list[dict[str, str]], layout: scangen.ColumnLayout) -> list[dict[str, str]]:
    """The first rows that fill one page and run on to a second, plus one whole row there."""
    def pages(n: int) -> int:
        return len(scangen.layout_table(rows[:n], STYLE, TITLE, layout).pages)

    n = next(n for n in range(1, len(rows) + 1) if pages(n) == 2)
    return rows[: n + 1] if pages(n + 1) == 2 else rows[:n]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


AGENCY_COLUMNS = ("牵头单位", "配合单位", "责任单位")


def _belongs(column: str, want: dict[str, str], read: str) -> bool:
    """Whether a cell read is the truth's text of this column of the row (see the module docstring)."""
    expected = want[column]
    if not expected or not read:
        return expected == read
    if column not in AGENCY_COLUMNS:
        return Levenshtein.normalized_similarity(expected, read) >= MIN_SIMILARITY
    nearest = max((c for c in want if want[c]), key=lambda c: Levenshtein.normalized_similarity(want[c], read))
    return nearest == column and len(read.split("、")) == len(expected.split("、"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_layout_end_to_end(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = scangen.LAYOUTS[name]
    rows = _two_pages(scangen.load_truth(DATA / CASES[name]), layout)
    draft = scangen.render_draft(rows, tmp_path / f"{name}.pdf", STYLE, TITLE, layout=layout)
    assert draft.pages == 2 and draft.cuts, "a row runs across the page break"
    code = main(["run", str(draft.path), "--out", str(tmp_path / "out"), "--workers", "1", "-q"])
    assert code == 0, capsys.readouterr().err
    got = _read_csv(tmp_path / "out" / f"{name}.csv")
    expected = scangen.expected_rows(rows, layout)
    assert list(got[0]) == list(expected[0])  # the standard six, then the layout's other columns
    assert [r["序号"] for r in got] == [r["序号"] for r in expected]
    wrong = [(k, column, want[column], row[column])
             for k, (want, row) in enumerate(zip(expected, got, strict=True))
             for column in want if not _belongs(column, want, row[column])]
    assert not wrong, wrong
