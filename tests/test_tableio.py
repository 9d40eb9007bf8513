"""Reading clean table CSVs back: round trip, BOM or not, and refusal of other files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import NotADraft
from pipeline.fileio import csv_text, write_csv_atomic, write_text_atomic
from pipeline.models import CSV_HEADER, Row, Table
from pipeline.tableio import read_table_csv, table_rows

TRUTH = Path(__file__).parent / "data" / "qingpu_v1.csv"


def test_truth_reads_as_table() -> None:
    table = read_table_csv(TRUTH)
    assert len(table.rows) == 33
    assert table.rows[0].no == "1"
    assert table.rows[0].lead == "区教育局"
    assert [row.no for row in table.rows].count("13") == 3
    assert len({row.no for row in table.rows}) == 26
    assert table.source == str(TRUTH)


def test_round_trip_through_write_csv_atomic(tmp_path: Path) -> None:
    table = read_table_csv(TRUTH)
    out = tmp_path / "copy.csv"
    write_csv_atomic(out, CSV_HEADER, table_rows(table))
    again = read_table_csv(out)
    assert again.rows == table.rows
    assert table_rows(again) == table_rows(table)


def test_round_trip_keeps_newlines_quotes_and_commas(tmp_path: Path) -> None:
    rows = (Row.of(no="1", level1="一、甲", level2="乙,丙", requirement='第一行\n第二行，"引号"',
                   lead="区教育局", support=""),)
    out = tmp_path / "odd.csv"
    write_csv_atomic(out, CSV_HEADER, table_rows(Table("t", rows)))
    assert read_table_csv(out).rows == rows


@pytest.mark.parametrize("bom", [True, False])
def test_reads_with_or_without_bom(tmp_path: Path, bom: bool) -> None:
    out = tmp_path / "t.csv"
    write_text_atomic(out, csv_text(CSV_HEADER, [["1", "a", "b", "c", "d", "e"]], bom=bom))
    assert read_table_csv(out).rows == (Row.of(no="1", level1="a", level2="b", requirement="c", lead="d", support="e"),)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    out.write_text(",".join(CSV_HEADER) + "\n1,a,b,c,d,e\n\n", encoding="utf-8")
    assert len(read_table_csv(out).rows) == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "change,old_no,new_no,title,field,old,new\n",
        "序号,一级指标,二级指标,工作要求,牵头单位\n1,a,b,c,d\n",
        "一级指标,序号,二级指标,工作要求,牵头单位,配合单位\n",
    ],
)
def test_wrong_header_is_not_a_draft(tmp_path: Path, text: str) -> None:
    out = tmp_path / "t.csv"
    out.write_text(text, encoding="utf-8")
    with pytest.raises(NotADraft, match="not a clean table CSV: header") as info:
        read_table_csv(out)
    assert info.value.path == str(out)


def test_wrong_field_count_is_not_a_draft(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    out.write_text(",".join(CSV_HEADER) + "\n1,a,b\n", encoding="utf-8")
    with pytest.raises(NotADraft, match="record 2 has 3 fields"):
        read_table_csv(out)


def test_non_utf8_is_not_a_draft(tmp_path: Path) -> None:
    out = tmp_path / "gbk.csv"
    out.write_bytes((",".join(CSV_HEADER) + "\n").encode("gbk"))
    with pytest.raises(NotADraft, match="not UTF-8"):
        read_table_csv(out)
