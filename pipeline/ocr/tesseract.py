"""Tesseract (chi_sim) recognition: all line images of a page stacked into one image, one call.

A tesseract process per cell would spend most of its time loading the Chinese model; stacking the
lines with white gaps and reading them with `--psm 6` (one uniform block) costs one model load
per page, and each recognized line is mapped back to its slot by its vertical position.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

import numpy as np

from ..errors import MissingDependency
from ..models import LineText
from .base import OcrEngine

#: Line images are scaled to this height: tesseract's LSTM models read best at 30-40 px x-height.
LINE_HEIGHT = 40
#: White gap between stacked lines, in line heights: enough that tesseract keeps them apart.
GAP_LINES = 0.8
LANGUAGE = "chi_sim"


class TesseractEngine(OcrEngine):
    name = "tesseract"

    def __init__(self, timeout_s: float) -> None:
        if shutil.which("tesseract") is None:
            raise MissingDependency(
                "tesseract", "the tesseract program is missing; install it with: make setup "
                "(apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-sim-vert)"
            )
        self._timeout_s = timeout_s
        # tesseract's own OpenMP threads slow parallel page workers down several times.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def read_lines(self, images: Sequence[np.ndarray]) -> list[LineText]:
        import cv2
        import pytesseract

        if not images:
            return []
        scaled = []
        for img in images:
            factor = LINE_HEIGHT / max(1, img.shape[0])
            scaled.append(cv2.resize(img, (max(1, int(img.shape[1] * factor)), LINE_HEIGHT),
                                     interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA))
        gap = int(LINE_HEIGHT * GAP_LINES)
        width = max(s.shape[1] for s in scaled) + 2 * gap
        slots: list[tuple[int, int]] = []
        canvas = np.full((gap + len(scaled) * (LINE_HEIGHT + gap), width), 255, dtype=np.uint8)
        y = gap
        for s in scaled:
            canvas[y:y + LINE_HEIGHT, gap:gap + s.shape[1]] = s
            slots.append((y, y + LINE_HEIGHT))
            y += LINE_HEIGHT + gap
        data = pytesseract.image_to_data(
            canvas, lang=LANGUAGE, config="--psm 6 -c preserve_interword_spaces=1",
            output_type=pytesseract.Output.DICT, timeout=self._timeout_s,
        )
        texts: list[list[str]] = [[] for _ in slots]
        confs: list[list[float]] = [[] for _ in slots]
        for text, conf, top, height in zip(data["text"], data["conf"], data["top"], data["height"],
                                           strict=True):
            if not str(text).strip() or float(conf) < 0:
                continue
            centre = top + height / 2
            slot = min(range(len(slots)), key=lambda i: abs((slots[i][0] + slots[i][1]) / 2 - centre))
            texts[slot].append(str(text))
            confs[slot].append(float(conf) / 100)
        return [LineText("".join(t), float(np.mean(c)) if c else 0.0) for t, c in zip(texts, confs, strict=True)]
