"""A table laid out by a word processor, then photocopied: the held-out Minhang plan written as a
Word table, printed by LibreOffice (tests/wordscan.py, not our renderer) and copied through
augraphy's BadPhotoCopy, end to end with the real OCR, scored as make eval scores it.

LibreOffice sets the text tight under each cell's top ruling with little room between lines, and the
copy's haze left specks that outnumbered the characters on one page: the character height came out
at its floor (17 px for 26), the strokes of stacked text lines passed for column rulings, that page
had 16 columns and the plan came out as three tables (15 of 35 rows in the first). And the haze
left in the tall merged 一级 cells was read as lines of its own after the titles (…底数！1)."""

from __future__ import annotations

import pytest
from eval_suite import canonical_agencies, prepare_cases

from pipeline.evaluate import score_table
from pipeline.run import process_draft_tables
from pipeline.settings import Settings

#: make eval's minhang/word-photocopy (README, Accuracy).
ROWS = 35
MAX_REQUIREMENT_CER = 0.0005
MIN_LEVEL1_EXACT = 1.0


@pytest.mark.slow  # make test near 15 minutes; make eval scores the same draft
def test_a_photocopied_word_table_is_one_table_with_every_row_and_clean_titles(tmp_path, lexicon):
    (case,) = prepare_cases(["minhang/word-photocopy"], tmp_path)
    settings = Settings()
    results = process_draft_tables(case.path, settings, lexicon)
    assert len(results) == 1, [len(r.table.rows) for r in results]
    (result,) = results
    scores = score_table(result.table, canonical_agencies(case.truth, case.title, lexicon, settings))
    assert scores.rows_found == ROWS == len(case.truth.rows)
    assert scores.requirement_cer <= MAX_REQUIREMENT_CER
    assert scores.exact_level1 >= MIN_LEVEL1_EXACT
