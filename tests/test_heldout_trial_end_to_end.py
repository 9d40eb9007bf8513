"""The held-out trial (tests/measure_augraphy_trial.py: augraphy's effects at their defaults over a
document's first two pages, the library's degradations, not our renderer) over the fifth held-out
plan, Fengxian, written for the fourteenth session and run before any rule was fitted to it, end to
end with the real OCR. Two effects failed there: a book photographed open (BookBinding: the page's
curl put its rulings near the spine 4-14 px off their lines, 16/17 rows, CER 33.86%, 一级 0%) and a fax
(Faxify: the blurred bottom strokes of a merged 一级 title made a row line of their own, 一级 65%).
Every row now, 一级 exact, the text within the issue's bound."""

from __future__ import annotations

from pathlib import Path

import degrade
import eval_suite
import pytest
import scangen
from conftest import read_degraded

from pipeline.evaluate import rows_to_table, score_table
from pipeline.lexicon import load_lexicon
from pipeline.settings import DEFAULT_LEXICON, Settings

FENGXIAN_CSV = Path(__file__).resolve().parent / "data" / "fengxian_health_v1.csv"
FENGXIAN_TITLE = "《奉贤区加强基层医疗卫生服务能力建设的实施方案》职责分工"
#: The issue's bound at 200 dpi and above.
MAX_CER = 0.005


#: Faxify is marked slow (the whole faxed Fengxian plan stays in the default run, tests/test_fax_end_to_end.py).
@pytest.mark.parametrize("effect", ["BookBinding", pytest.param("Faxify", marks=pytest.mark.slow)])
def test_the_fengxian_plan_under_the_effects_that_failed_reads_every_row(tmp_path, monkeypatch, effect):
    from measure_augraphy_trial import recipe

    name = f"trial-{effect}"
    monkeypatch.setitem(degrade.RECIPES, name, recipe(effect))
    truth = degrade.rows_for_pages(scangen.load_truth(FENGXIAN_CSV), 2, scangen.VARIANTS["clean-300"],
                                   FENGXIAN_TITLE)
    got, out = read_degraded(truth, name, FENGXIAN_TITLE, tmp_path, "trial")
    assert not list(out.glob("trial.表*.csv")), "one table, not two"
    assert [r["序号"] for r in got] == [r["序号"] for r in truth]
    assert [r["一级指标"] for r in got] == [r["一级指标"] for r in truth]
    # the truth's agencies as the lexicon spells them for the draft's district (奉贤区卫生健康委 is the
    # district's 区卫生健康委), as make eval and the trial score them
    expected = eval_suite.canonical_agencies(rows_to_table(truth), FENGXIAN_TITLE, load_lexicon(DEFAULT_LEXICON),
                                             Settings())
    scores = score_table(rows_to_table(got), expected)
    assert scores.requirement_cer <= MAX_CER
    assert scores.agency_f1 == 1.0
