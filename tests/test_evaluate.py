"""Scoring a predicted table against its truth: perfect, one wrong agency, CER by hand, missing rows;
the peer's requirement text (column choice, reading order, CER without row alignment)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluate import (
    align_rows,
    format_scores_table,
    normalize,
    rows_to_table,
    score_table,
    silent_cells,
    split_agencies,
    wrong_cells,
)
from pipeline.models import Row, Table
from pipeline.tableio import read_table_csv

TRUTH = Path(__file__).parent / "data" / "qingpu_v1.csv"


@pytest.fixture(scope="module")
def truth() -> Table:
    return read_table_csv(TRUTH)


def _agency_count(table: Table) -> int:
    return sum(len(split_agencies(r.lead)) + len(split_agencies(r.support)) for r in table.rows)


def _with_row(table: Table, index: int, row: Row) -> Table:
    rows = list(table.rows)
    rows[index] = row
    return replace(table, rows=tuple(rows))


def test_perfect_prediction(truth: Table) -> None:
    scores = score_table(truth, truth)
    assert (scores.rows_found, scores.rows_expected, scores.rows_matched) == (33, 33, 33)
    assert all(rate == 1.0 for rate in scores.exact.values())
    assert list(scores.exact) == ["序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位"]
    assert scores.requirement_cer == 0.0
    assert scores.agency_precision == scores.agency_recall == scores.agency_f1 == 1.0


def test_one_wrong_agency_lowers_f1_by_one_over_n(truth: Table) -> None:
    n = _agency_count(truth)
    first = truth.rows[0]
    assert first.lead == "区教育局"
    predicted = _with_row(truth, 0, first.replace(lead="区教育厅"))
    scores = score_table(predicted, truth)
    # one false positive and one false negative: precision = recall = (n - 1) / n
    assert scores.agency_precision == pytest.approx((n - 1) / n)
    assert scores.agency_recall == pytest.approx((n - 1) / n)
    assert scores.agency_f1 == pytest.approx((n - 1) / n)
    assert scores.exact["牵头单位"] == pytest.approx(32 / 33)
    assert scores.exact["配合单位"] == 1.0
    assert scores.requirement_cer == 0.0


def test_dropped_agency_lowers_recall_only(truth: Table) -> None:
    n = _agency_count(truth)
    first = truth.rows[0]
    predicted = _with_row(truth, 0, first.replace(support=first.support.rsplit("、", 1)[0]))
    scores = score_table(predicted, truth)
    assert scores.agency_precision == 1.0
    assert scores.agency_recall == pytest.approx((n - 1) / n)
    assert scores.agency_f1 == pytest.approx(2 * (n - 1) / (2 * n - 1))


def test_agency_role_matters(truth: Table) -> None:
    """An agency read into the wrong column is one miss and one false positive."""
    row = Row.of(no="1", level1="一、甲", level2="乙", requirement="丙", lead="区教育局", support="区妇联")
    swapped = Row.of(no="1", level1="一、甲", level2="乙", requirement="丙", lead="区妇联", support="区教育局")
    scores = score_table(Table("p", (swapped,)), Table("t", (row,)))
    assert scores.agency_f1 == 0.0


def test_cer_by_hand() -> None:
    truth = Table("t", (
        Row.of(no="1", level1="一、甲", level2="乙", requirement="加强学校 安全，\n落实责任。",
               lead="区教育局", support=""),
        Row.of(no="2", level1="一、甲", level2="丙", requirement="ABCD", lead="区教育局", support=""),
    ))
    # Both sides are NFKC-normalized without whitespace: row 1 reads 加强学校安全,落实责任。 (12
    # chars) as 加强学校安仝,落实责任 -> one substitution (全/仝) and one deletion (。) = 2;
    # row 2 reads ABCD as AXCDE (full-width Ａ is A) -> one substitution and one insertion = 2.
    predicted = Table("p", (
        Row.of(no="1", level1="一、甲", level2="乙", requirement="加强学校安仝，落实责任", lead="区教育局", support=""),
        Row.of(no="2", level1="一、甲", level2="丙", requirement="ＡXCDE", lead="区教育局", support=""),
    ))
    truth_chars = len(normalize(truth.rows[0].requirement)) + len("ABCD")
    assert truth_chars == 12 + 4
    scores = score_table(predicted, truth)
    assert scores.requirement_errors == 4
    assert scores.requirement_chars == 16
    assert scores.requirement_cer == pytest.approx(4 / 16)
    assert scores.exact["工作要求"] == 0.0
    assert scores.exact["序号"] == 1.0


def test_missing_row(truth: Table) -> None:
    """Dropping the middle sub-row of item 13: 32 rows found, that row wrong everywhere, its text
    all deletions, its agencies all misses; the other rows still pair with their truth."""
    index = next(i for i, r in enumerate(truth.rows) if r.no == "13") + 1
    dropped = truth.rows[index]
    predicted = replace(truth, rows=truth.rows[:index] + truth.rows[index + 1:])
    scores = score_table(predicted, truth)
    assert (scores.rows_found, scores.rows_expected, scores.rows_matched) == (32, 33, 32)
    assert all(rate == pytest.approx(32 / 33) for rate in scores.exact.values())
    total = sum(len(normalize(r.requirement)) for r in truth.rows)
    assert scores.requirement_errors == len(normalize(dropped.requirement))
    assert scores.requirement_cer == pytest.approx(len(normalize(dropped.requirement)) / total)
    n = _agency_count(truth)
    missed = len(split_agencies(dropped.lead)) + len(split_agencies(dropped.support))
    assert scores.agency_precision == 1.0
    assert scores.agency_recall == pytest.approx((n - missed) / n)
    pairs = align_rows(truth, predicted)
    assert (index, None) in pairs
    assert (index + 1, index) in pairs


def test_extra_row_costs_precision_and_insertions(truth: Table) -> None:
    extra = Row.of(no="99", level1="六、多", level2="多余", requirement="多出来的一行", lead="区教育局", support="")
    predicted = replace(truth, rows=(*truth.rows, extra))
    scores = score_table(predicted, truth)
    assert (scores.rows_found, scores.rows_matched) == (34, 33)
    assert all(rate == 1.0 for rate in scores.exact.values())
    assert scores.requirement_errors == len("多出来的一行")
    assert scores.agency_recall == 1.0
    assert scores.agency_precision < 1.0


def test_wrong_cells_and_the_ones_no_flag_points_at(truth: Table) -> None:
    """Two wrong cells of a row that shifted by one (a row dropped above it): each is found at its
    predicted row, and only the one without a flag on (predicted row, role) is silent."""
    index = next(i for i, r in enumerate(truth.rows) if r.no == "13") + 1
    rows = list(truth.rows[:index] + truth.rows[index + 1:])
    later = rows[index]
    rows[index] = later.replace(lead="区教育厅", level2=later.level2 + "。")
    predicted = replace(truth, rows=tuple(rows))
    wrong = wrong_cells(predicted, truth)
    assert [(c.truth_row, c.predicted_row, c.role) for c in wrong] == [
        (index + 1, index, "level2"), (index + 1, index, "lead")]
    assert wrong[1].expected == later.lead and wrong[1].read == "区教育厅"
    assert silent_cells(wrong, {(index, "lead")}) == [wrong[0]]
    assert silent_cells(wrong, {(index + 1, "lead"), (index, "level2")}) == [wrong[1]]
    assert wrong_cells(truth, truth) == []


def test_misread_number_still_pairs_on_text(truth: Table) -> None:
    """A row whose 序号 was misread pairs by its requirement, so only the 序号 column suffers."""
    first = truth.rows[0]
    predicted = _with_row(truth, 0, first.replace(no="7"))
    scores = score_table(predicted, truth)
    assert scores.rows_matched == 33
    assert scores.exact["序号"] == pytest.approx(32 / 33)
    assert scores.exact["工作要求"] == 1.0
    assert scores.agency_f1 == 1.0


def test_empty_prediction(truth: Table) -> None:
    scores = score_table(Table("p", ()), truth)
    assert (scores.rows_found, scores.rows_matched) == (0, 0)
    assert all(rate == 0.0 for rate in scores.exact.values())
    assert scores.requirement_cer == 1.0
    assert scores.agency_f1 == 0.0


def test_rows_to_table_matches_csv(truth: Table) -> None:
    import csv

    with open(TRUTH, encoding="utf-8-sig", newline="") as fh:
        dicts = list(csv.DictReader(fh))
    assert rows_to_table(dicts).rows == truth.rows


def test_format_scores_table(truth: Table) -> None:
    named = {"perfect": score_table(truth, truth), "empty": score_table(Table("p", ()), truth)}
    text = format_scores_table(named, extra={"perfect": {"s": "1.5"}})
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("| variant")
    assert "33/33" in lines[2] and "100.0" in lines[2] and "1.5" in lines[2]
    assert "0/33" in lines[3]
    assert len({len(line) for line in lines[2:]}) == 1  # rows padded alike


# --- the img2table peer's requirement text (tests/eval_suite.py) ----------------------------------
def _cell(text: str, x1: int, x2: int, y1: int = 0, y2: int = 10) -> list[object]:
    return [text, x1, y1, x2, y2]


def _peer_table(page: int, top: int, rows: list[list[list[object]]]) -> dict[str, Any]:
    return {"page": page, "bbox": [0, top, 500, top + 100], "rows": rows}


def test_peer_text_takes_the_requirement_column_in_reading_order() -> None:
    from eval_suite import peer_requirement_text, requirement_column

    header = [_cell("二级\n指标", 0, 100), _cell("工作 要求", 100, 200), _cell("配合单位", 200, 500)]
    spanning = _cell("加强学校\n安全，", 100, 200, 10, 50)  # one cell img2table repeats in two rows
    first = _peer_table(0, 50, [
        header,
        [_cell("1、健全", 0, 100), spanning, _cell("区教育局", 200, 500)],
        [_cell("1、健全", 0, 100), spanning, _cell("区妇联", 200, 500)],
    ])
    # the next page's table has no header: its widest column (here the last) is taken
    second = _peer_table(1, 40, [
        [_cell("", 0, 50), _cell("x", 50, 100), _cell("落实 责任。", 100, 400)],
        [_cell("", 0, 50), _cell("", 50, 100), _cell("", 100, 400)],
    ])
    assert requirement_column(first["rows"]) == 1
    assert requirement_column(second["rows"]) == 2
    # given out of order: pages come first
    text, rows = peer_requirement_text([second, first])
    assert text == "加强学校安全,落实责任。"
    assert rows == 3  # header row and the empty row are not data rows


def test_peer_text_cer_needs_no_row_alignment() -> None:
    from eval_suite import requirement_text_cer

    truth = Table("t", (
        Row.of(no="1", level1="一、甲", level2="乙", requirement="加强学校 安全，\n落实责任。",
               lead="区教育局", support=""),
        Row.of(no="2", level1="一、甲", level2="丙", requirement="ABCD", lead="区教育局", support=""),
    ))
    # the same text cut at other row boundaries scores 0; one substitution (全/仝) costs 1 of 16
    assert requirement_text_cer(truth, "加强学校安全，落实责任。ＡＢＣＤ") == 0.0
    assert requirement_text_cer(truth, "加强学校安仝,落实 责任。ABCD") == pytest.approx(1 / 16)
    assert requirement_text_cer(truth, "") == 1.0


# --- the default engine beside v6 small (tests/eval_suite.py --against) -----------------------------
def test_side_by_side_names_what_the_default_does_worse() -> None:
    from eval_suite import Outcome, side_by_side

    truth = Table("t", (
        Row.of(no="1", level1="一、甲", level2="乙", requirement="加强学校安全。", lead="区教育局", support="区妇联"),
        Row.of(no="2", level1="一、甲", level2="丙", requirement="落实责任。", lead="区教育局", support=""),
    ))
    misread = Table("t", (truth.rows[0], Row.of(no="2", level1="一、甲", level2="丙", requirement="落实责仕。",
                                                  lead="区教育局", support="")))
    exact = Outcome(score_table(truth, truth), 1.0, 1, pages_read="1/1", false_changes=0)
    worse = Outcome(score_table(misread, truth), 1.0, 1, pages_read="1/1", false_changes=1)
    text = side_by_side("rapid", {"a": worse, "b": exact, "only-here": exact}, "v6-small", {"a": exact, "b": exact})
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    assert set(rows) == {"variant", "a", "b"}  # a variant only one engine ran is not set beside anything
    assert rows["a"].rstrip(" |").endswith("CER, 工作要求, changes")
    assert "8.33 / 0.00" in rows["a"] and "1 / 0" in rows["a"]  # one wrong character of 12
    assert rows["b"].rstrip(" |").endswith("—")
    assert text.endswith("rapid is worse than v6-small on 1 of 2 variants (each pair: rapid / v6-small).")
