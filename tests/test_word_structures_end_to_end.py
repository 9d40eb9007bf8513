"""Structures of real drafts in one Word table, end to end with the real OCR: the held-out Songjiang
plan laid out by LibreOffice (tests/wordscan.py, not our renderer) with a two-row header (责任单位 over
牵头单位 | 配合单位), equal leads merged down consecutive rows, the table cut in two at its middle row
(the second part with its own header) and no item numbers anywhere, scanned clean at 300 dpi.

Each structure broke the pipeline when first tried (make eval's songjiang/word-two-row-header and
the others, one structure at a time): the two-row header was read as one row of seven columns (牵头
0%), a lead merged across a page break left the row under it with none, the second header was read
as a row, and two titles at a page break were read as one with every 序号 empty."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import degrade
import officegen
import scangen
import wordscan
from eval_suite import HELD_OUT, TITLES, canonical_agencies

from pipeline.evaluate import rows_to_table, score_table
from pipeline.run import process_draft_tables
from pipeline.settings import Settings

ALL_FOUR = replace(officegen.WORD_STYLES["two-row-header"], merge_agencies=True, split_at_half=True,
                   item_numbers=False)


def test_a_word_table_with_every_structure_reads_every_row_exactly(tmp_path, lexicon):
    rows = scangen.load_truth(HELD_OUT["songjiang"])
    with tempfile.TemporaryDirectory(prefix="wordscan-") as tmp:
        printed = wordscan.printed_pdf(rows, Path(tmp), TITLES["songjiang"], ALL_FOUR)
        pages, dpi = wordscan.scanned_pages(printed, wordscan.CLEAN)
    path = tmp_path / "structures.pdf"
    degrade._write_pdf(path, pages, dpi, wordscan.CLEAN_RECIPE)
    settings = Settings()
    results = process_draft_tables(path, settings, lexicon)
    assert len(results) == 1, [len(r.table.rows) for r in results]
    (result,) = results
    printed_rows = [{k: r.get(k, "") for k in scangen.CSV_COLUMNS} for r in rows]
    truth = canonical_agencies(rows_to_table(printed_rows, "songjiang"), TITLES["songjiang"], lexicon, settings)
    scores = score_table(result.table, truth)
    assert scores.rows_found == len(rows) == 35
    for column in ("no", "level1", "level2", "lead", "support"):
        assert getattr(scores, f"exact_{column}") == 1.0, column
    assert scores.requirement_cer == 0.0
    messages = " ".join(report.message for report in result.page_reports)
    assert "the header printed again" in messages
    assert "cell merged across the page break keep the row before's" in messages


def test_a_header_cell_naming_two_columns_splits_them_on_the_pages_that_have_both(tmp_path, lexicon):
    """The held-out Fengxian plan's Word table on a 1-bit copy at light toner (tests/wordscan.py
    bilevel-200, seed 20), pages 1-3: page 1's grid lost the ruling between 一级指标 and 二级指标, whose
    header cell was read 级指标级指标 (一 and 二 lost); pages 2-3 have the ruling. The header cell names
    both roles (profile._two_names), so the later pages' two columns are taken as 一级 and 二级 instead
    of being joined into one 一级 text, and page 2's first row still continues page 1's last."""
    path = tmp_path / "fengxian_bilevel.pdf"
    wordscan.render_word_scan(scangen.load_truth(HELD_OUT["fengxian"]), path, "bilevel-200", TITLES["fengxian"],
                              seed=20, only=[0, 1, 2])
    (result,) = process_draft_tables(path, Settings(), lexicon)
    messages = {report.page + 1: report.message for report in result.page_reports}
    assert "which names 一级指标、二级指标: taken as those columns" in messages[2]
    # page 2's first row continues page 1's last, which had no 二级 cell: judged as in a table without it
    assert "first row continues the previous page's" in messages[2]
    assert "first row continues the previous page's" in messages[3]
    assert "一级指标、二级指标 read as one column" in messages[1]  # the rows above say where their text went
    later = [row for row in result.table.rows if row.sources.get("level2")]
    assert len(later) >= 10
    assert all(not row.level1.startswith(row.level2[:4]) for row in later if row.level2)
    assert sum(bool(row.level2) for row in later) >= 0.8 * len(later)
