"""Shared fixtures: generated scans (rendered once per session) and the ground truth."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scangen

from pipeline.lexicon import Lexicon, load_lexicon
from pipeline.models import Page
from pipeline.settings import DEFAULT_LEXICON


@pytest.fixture(scope="session")
def truth_rows() -> list[dict[str, str]]:
    return scangen.load_truth()


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    """The shipped lexicon, loaded once."""
    return load_lexicon(DEFAULT_LEXICON)


@pytest.fixture(scope="session")
def sample_images(truth_rows: list[dict[str, str]]) -> list[np.ndarray]:
    """The shipped sample's look (200 dpi, skew, noise, JPEG) as grayscale page images."""
    return [np.asarray(im.convert("L")) for im in scangen.render_pages(truth_rows, scangen.VARIANTS["sample"])]


@pytest.fixture(scope="session")
def clean_images(truth_rows: list[dict[str, str]]) -> list[np.ndarray]:
    """The same draft without artifacts, 200 dpi."""
    return [np.asarray(im.convert("L")) for im in scangen.render_pages(truth_rows, scangen.ScanStyle())]


def as_page(image: np.ndarray, index: int = 0, dpi: int = 200) -> Page:
    return Page(index=index, image=image, dpi=dpi, source="scan")


MINHANG_CSV = Path(__file__).resolve().parent / "data" / "minhang_waste_v1.csv"
MINHANG_TITLE = "《闵行区生活垃圾分类和资源化利用三年行动方案（2027—2029年）》任务分工"
SONGJIANG_CSV = Path(__file__).resolve().parent / "data" / "songjiang_flood_v1.csv"
SONGJIANG_TITLE = "《松江区防汛防台能力提升三年行动计划（2027—2029年）》任务分工"


def read_degraded(rows: list[dict[str, str]], recipe: str, title: str, folder: Path,
                  stem: str) -> tuple[list[dict[str, str]], Path]:
    """`rows` drawn as make eval draws a recipe's draft (scangen's clean-300 style, seed 0, through
    tests/degrade.py), run through the CLI with the real OCR into folder/out (exit 0 asserted):
    the rows of its stem.csv, and the output folder. The PDF is folder/stem.pdf."""
    import csv

    import degrade

    from pipeline.__main__ import main

    draft = degrade.render_degraded(rows, folder / f"{stem}.pdf", recipe, scangen.VARIANTS["clean-300"], 0,
                                    title=title)
    out = folder / "out"
    assert main(["run", str(draft.path), "--out", str(out), "-q"]) == 0
    with (out / f"{stem}.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh)), out


def first_pages_degraded(csv_path: Path, title: str, recipe: str, pages: int, folder: Path) -> dict[str, Page]:
    """The first page of a truth document's leading rows (as many as fill `pages` pages), cleaned as the
    pipeline cleans it, through its PDF as make eval reads it: {recipe: its copy by tests/degrade.py's
    recipe (the library's degradation), "clean": the same page as scangen draws it}."""
    import degrade

    from pipeline.clean import clean_page
    from pipeline.ingest import load_page, open_document
    from pipeline.ocr import get_engine
    from pipeline.settings import Settings

    style = scangen.VARIANTS["clean-300"]
    rows = degrade.rows_for_pages(scangen.load_truth(csv_path), pages, style, title)
    paths = {recipe: degrade.render_degraded(rows, folder / f"{recipe}.pdf", recipe, style, title=title).path,
             "clean": scangen.render_draft(rows, folder / "clean.pdf", style, title=title).path}
    settings = Settings()
    out = {}
    for name, path in paths.items():
        doc = open_document(Path(path), settings)
        out[name] = clean_page(load_page(doc, 0, settings), settings, get_engine(settings))[0]
    return out


@pytest.fixture(scope="session")
def minhang_drum_first_page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    """The first page of the held-out Minhang plan, cleaned as the pipeline cleans it, through its PDF
    as make eval reads it: {"dirty-drum": its copy by tests/degrade.py's dirty-drum recipe (augraphy
    DirtyDrum, the library's degradation), "clean": the same page as scangen draws it}."""
    pytest.importorskip("degrade")
    return first_pages_degraded(MINHANG_CSV, MINHANG_TITLE, "dirty-drum", 1, tmp_path_factory.mktemp("minhang_drum"))
