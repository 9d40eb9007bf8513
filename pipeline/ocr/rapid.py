"""PP-OCRv4 recognition through rapidocr-onnxruntime (models ship inside the wheel).

Only the recognizer is used: line positions come from the grid and the line splitter, so the
detection model, the most expensive part of a full-page PP-OCR pass, is never run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ..models import LineText
from .base import OcrEngine

#: One inference thread per process: the runner already keeps both cores busy with one process
#: per page, and onnxruntime's own threads would fight them.
THREADS_PER_PROCESS = 1
#: Lines per inference batch. One: measured on a page of 71 lines, batches of 1/6/16/32 took
#: 3.2/4.4/20/27 s; padding to the longest line and larger tensors cost more than batching saves.
BATCH_SIZE = 1


class RapidEngine(OcrEngine):
    name = "v4"

    def __init__(self) -> None:
        import rapidocr_onnxruntime
        from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer
        from rapidocr_onnxruntime.utils import read_yaml

        root = Path(rapidocr_onnxruntime.__file__).parent
        config = read_yaml(str(root / "config.yaml"))["Rec"]
        config["model_path"] = str(root / config["model_path"])
        config["intra_op_num_threads"] = THREADS_PER_PROCESS
        config["inter_op_num_threads"] = THREADS_PER_PROCESS
        config["rec_batch_num"] = BATCH_SIZE
        self._recognizer = TextRecognizer(config)

    def read_lines(self, images: Sequence[np.ndarray]) -> list[LineText]:
        if not images:
            return []
        bgr = [cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) for img in images]
        results, _elapsed = self._recognizer(bgr)
        return [LineText(text, float(score)) for text, score in results]
