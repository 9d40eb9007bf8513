"""One interface for every OCR engine: line images in, (text, confidence) out.

The grid already tells where each cell is and `cells.py` cuts the text lines, so an engine never
has to find text on a page: it only recognizes lines. Optional engines are imported lazily and a
missing one is a clear error with the install command.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from ..models import LineText
from ..settings import Settings


class OcrEngine(ABC):
    """Recognizes single text lines (grayscale, dark text on light paper)."""

    name: str = ""
    #: A line read at a mean confidence below this is illegible (specks, haze or a ruling's remains
    #: read as characters): cells leave it out of the cell's text and name it for review
    #: (CellText.illegible). 0: every line is kept (an engine whose confidences were not measured).
    illegible_below: float = 0.0

    @abstractmethod
    def read_lines(self, images: Sequence[np.ndarray]) -> list[LineText]:
        """One LineText per image, in order; confidence in 0..1."""

    def quick(self) -> OcrEngine:
        """The engine for a quick look (which way up a page reads): a lighter model where this
        engine has one, else itself."""
        return self


_ENGINES: dict[tuple[str, float], OcrEngine] = {}


def get_engine(settings: Settings) -> OcrEngine:
    """The engine the settings name, created once per process (models load once)."""
    key = (settings.engine, settings.ocr_timeout_s)
    if key not in _ENGINES:
        _ENGINES[key] = _create(settings)
    return _ENGINES[key]


def reads_in_pieces(settings: Settings) -> bool:
    """Whether the settings' engine reads a page's lines in several calls (by several processes) as
    fast as in one, so that a page's reading can be shared out (told without loading the engine).
    Not tesseract: it runs a process, loading its model, per call."""
    return settings.engine != "tesseract"


def _create(settings: Settings) -> OcrEngine:
    """rapid: PP-OCRv6 tiny, unsure lines again by v6 small; v6-small / v6-tiny: one model for every
    line; tesseract: chi_sim. (PP-OCRv4 was dropped: on the pipeline's cut lines it lost to v6 small in
    every scan style, tests/ocr_lines.py.)"""
    if settings.engine in ("rapid", "v6-small", "v6-tiny"):
        from .ppocr import CascadeEngine, SingleModelEngine

        return CascadeEngine() if settings.engine == "rapid" else SingleModelEngine(settings.engine)
    from .tesseract import TesseractEngine

    return TesseractEngine(timeout_s=settings.ocr_timeout_s)
