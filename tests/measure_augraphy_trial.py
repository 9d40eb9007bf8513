"""A held-out trial: augraphy effects the project has not tuned on, at their default settings.

    .venv/bin/python tests/measure_augraphy_trial.py [--effects BleedThrough,WaterMark,...]
                                                    [--document songjiang_flood_v1] [--pages 2] [-v]

Each effect of augraphy (the library tests/degrade.py draws its recipes from) is applied with its
defaults to the clean pages of a held-out document's first pages (300 dpi, scangen's clean-300 style,
through the PDF as make eval reads it); the pipeline (rapid, one worker) reads the draft, and one line
per effect gives rows found / expected, requirement CER, agency F1, the per-column exact rates and the
pages not read. `-v` adds make eval's list of wrong cells. The eleventh session ran it over the
Songjiang plan's first two pages (README, Accuracy): 13 effects read within the issue's bounds; dirty
rollers (since a recipe of tests/degrade.py, and fixed), lines degradation (since the twelfth session a
recipe too, and fixed: 17/17 rows, CER 0.25%) and book binding (now 17/17 rows, 一级 47%) did not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import degrade  # noqa: E402
import eval_suite  # noqa: E402
import scangen  # noqa: E402

from pipeline.errors import PipelineError  # noqa: E402
from pipeline.evaluate import rows_to_table, score_table  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402
from pipeline.run import process_draft  # noqa: E402
from pipeline.settings import DEFAULT_LEXICON, Settings  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
#: augraphy effects and whether they want a colour page; every one at its defaults (WaterMark given
#: a draft's own word).
EFFECTS: dict[str, tuple[bool, dict[str, Any]]] = {
    "BleedThrough": (False, {}), "WaterMark": (True, {"watermark_word": "送审稿"}),
    "DirtyRollers": (False, {}), "LightingGradient": (False, {}), "Letterpress": (False, {}),
    "Stains": (False, {}), "BookBinding": (True, {}), "Faxify": (False, {}),
    "LinesDegradation": (False, {}), "PageBorder": (False, {}), "NoiseTexturize": (False, {}),
    "InkShifter": (False, {}), "Dithering": (False, {}), "SubtleNoise": (False, {}),
    "BindingsAndFasteners": (False, {}), "LowLightNoise": (True, {}),
}
#: Colour pages are stored as JPEG at this quality, as a colour scan is.
COLOUR_JPEG = 85


def recipe(effect: str) -> degrade.Recipe:
    colour, kwargs = EFFECTS[effect]

    def damage(img: np.ndarray, ctx: degrade.PageContext) -> np.ndarray:
        out = degrade._run(getattr(degrade._augraphy(), effect)(**kwargs), degrade._bgr(img) if colour else img)
        return out if colour else degrade._gray(out)

    return degrade.Recipe(f"augraphy {effect} at its defaults", damage, colour=colour,
                          jpeg_quality=COLOUR_JPEG if colour else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--effects", default=",".join(EFFECTS))
    parser.add_argument("--document", default="songjiang_flood_v1", help="a truth CSV of tests/data")
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("augraphy_trial_out"))
    parser.add_argument("-v", action="store_true", dest="verbose")
    args = parser.parse_args()
    settings = Settings.resolve(engine="rapid", workers=1)
    lexicon = load_lexicon(DEFAULT_LEXICON)
    style = scangen.VARIANTS["clean-300"]
    doc = args.document.split("_")[0]
    title = eval_suite.TITLES.get(doc, scangen.DEFAULT_TITLE)
    rows = degrade.rows_for_pages(scangen.load_truth(DATA / f"{args.document}.csv"), args.pages, style, title)
    truth = eval_suite.canonical_agencies(rows_to_table(rows), title, lexicon, settings)
    for effect in args.effects.split(","):
        name = f"trial-{effect}"
        degrade.RECIPES[name] = recipe(effect)
        start = time.perf_counter()
        try:
            draft = degrade.render_degraded(rows, args.out / f"{doc}-{effect}.pdf", name, style, 0, title=title)
            result = process_draft(draft.path, settings, lexicon)
        except PipelineError as exc:
            print(f"{effect:22s} not read: {exc}")
            continue
        scores = score_table(result.table, truth)
        not_read = [f"{p.label}: {p.message}" for p in result.page_reports if p.status == "not-read"]
        exact = " ".join(f"{k} {100 * v:.0f}" for k, v in scores.exact.items())
        print(f"{effect:22s} rows {len(result.table.rows)}/{len(rows)}  CER {100 * scores.requirement_cer:.2f}%  "
              f"F1 {100 * scores.agency_f1:.1f}  {exact}  {time.perf_counter() - start:.0f} s"
              + (f"  not read: {not_read}" if not_read else ""), flush=True)
        if args.verbose:
            print(eval_suite.mismatch_report(effect, "rapid", result.table, truth))
    return 0


if __name__ == "__main__":
    sys.exit(main())
