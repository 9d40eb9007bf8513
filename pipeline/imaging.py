"""Small image helpers shared by the stages."""

from __future__ import annotations

import cv2
import numpy as np

#: Neighbourhood (px) and offset of the adaptive threshold: wide enough to span a character
#: stroke's surroundings at 300 dpi, offset high enough that gray paper and JPEG ringing stay white.
ADAPTIVE_BLOCK = 31
ADAPTIVE_OFFSET = 15


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 255; the threshold adapts to uneven gray paper."""
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, ADAPTIVE_BLOCK, ADAPTIVE_OFFSET
    )
