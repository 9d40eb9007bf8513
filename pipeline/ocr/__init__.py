"""Cell OCR: line images cut from each cell, read by one engine behind `OcrEngine`."""

from .base import OcrEngine, get_engine
from .cells import read_cells, read_margin_text

__all__ = ["OcrEngine", "get_engine", "read_cells", "read_margin_text"]
