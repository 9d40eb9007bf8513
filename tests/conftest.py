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
