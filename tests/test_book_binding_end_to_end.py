"""A page photographed as one side of an open book (augraphy BookBinding at its defaults, the held-out
trial of tests/measure_augraphy_trial.py: not our renderer) over the held-out Songjiang plan's first
two pages, end to end with the real OCR. The facing page's row rulings lie on the table's row lines;
one that does not end at a junction had been bridged across the gap to the table's own ruling, over
its merged 一级 cells, and cut their titles in two (一级 47%); only bridges inside the table are drawn
now. Two pages in one photo are still read as the one whose table has most junctions."""

from __future__ import annotations

import csv
from pathlib import Path

import degrade
import scangen
from measure_augraphy_trial import recipe

from pipeline.__main__ import main
from pipeline.evaluate import rows_to_table, score_table

SONGJIANG = Path(__file__).resolve().parent / "data" / "songjiang_flood_v1.csv"
TITLE = "《松江区防汛防台能力提升三年行动计划（2027—2029年）》任务分工"
#: The issue's bound at 200 dpi and above; the trial reads 0.00%.
MAX_CER = 0.005


def test_a_facing_page_cuts_no_merged_title(tmp_path, monkeypatch):
    monkeypatch.setitem(degrade.RECIPES, "trial-BookBinding", recipe("BookBinding"))
    style = scangen.VARIANTS["clean-300"]
    truth = degrade.rows_for_pages(scangen.load_truth(SONGJIANG), 2, style, TITLE)
    draft = degrade.render_degraded(truth, tmp_path / "book.pdf", "trial-BookBinding", style, 0, title=TITLE)
    out = tmp_path / "out"
    assert main(["run", str(draft.path), "--out", str(out), "-q"]) == 0
    with (out / "book.csv").open(encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh))
    assert [r["序号"] for r in got] == [r["序号"] for r in truth]
    assert [r["一级指标"] for r in got] == [r["一级指标"] for r in truth]
    assert [r["二级指标"] for r in got] == [r["二级指标"] for r in truth]
    assert score_table(rows_to_table(got), rows_to_table(truth)).requirement_cer <= MAX_CER
