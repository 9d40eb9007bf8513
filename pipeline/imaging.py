"""Small image helpers shared by the stages."""

from __future__ import annotations

import cv2
import numpy as np

#: Neighbourhood (px) and offset of the adaptive threshold: wide enough to span a character
#: stroke's surroundings at 300 dpi, offset high enough that gray paper and JPEG ringing stay white.
ADAPTIVE_BLOCK = 31
ADAPTIVE_OFFSET = 15

#: Chroma (max - min channel, 0..255) that printed black ink still has in a colour scan or photo:
#: measured on ../shared/real, the 99th percentile of dark pixels (luminance < 140) is 15 on the
#: flatbed settlement scan and 39 at JPEG colour fringes of the timetable photo (its 90th: 16).
#: Blue ballpoint is ~80-150, red seals 75-180 (the settlement scan's pinkish seals 73-82).
INK_MAX_CHROMA = 20
#: Each unit of chroma beyond INK_MAX_CHROMA lightens a pixel by this many gray levels, so a mark of
#: chroma >= ~80 (a seal at luminance ~90, blue pen at ~60) lands on white paper (255).
MARK_CHROMA_GAIN = 3.0
#: A page whose dark pixels are mostly coloured is printed in colour (a red- or blue-ruled form),
#: not marked in colour: it keeps plain luminance. Seals and pen marks are a minority of a page's
#: ink (the settlement scan's two seals: under 5% of its dark pixels).
MARKS_MAX_INK_SHARE = 0.5
#: A pixel counts as dark (ink or mark) for that share when its luminance is below this.
DARK_LEVEL = 160


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 255; the threshold adapts to uneven gray paper."""
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, ADAPTIVE_BLOCK, ADAPTIVE_OFFSET
    )


#: Ink of the page's rulings and text is at least this many gray levels darker than the median of its
#: surroundings (INK_MEDIAN_BLOCK px, on a half-size copy). The mean of the adaptive threshold is
#: pulled up by the white halos a photocopy leaves around text, so gray paper next to the halos passed
#: as ink: the text lines became rulings (degrade.py photocopy: 44 row and 23 column lines on a page of
#: 10 and 6) and the cut lines were gray blocks (requirement CER 112%). The median is the paper's.
#: Measured on the grid of make eval's library degradations: 40 gives the clean page's lines on every
#: photocopied page and changes none of the others (low-ink, bilevel-200, shadow); 70 loses rulings of
#: the low-ink pages. Used by the grid and the cell cutter (whole make eval in the README).
INK_MEDIAN_CONTRAST = 40
INK_MEDIAN_BLOCK = 31
#: ...or at most this share of the paper's gray. Where the "paper" is itself dark (a copier's toner
#: streak across a ruling: the median there is 70, the ruling 28-38) a ruling is not 40 levels below
#: it: on the held-out Minhang plan's dirty-drum copy (the library's degradation) the 40 levels kept
#: half of a row ruling's pixels, too few to be a ruling, and item 6 was read into item 5; at 0.6 of
#: the paper 0.88 of it, and 0.07-0.14 of the streak's own rows. The share is the looser test only on
#: paper darker than 100 (40 / (1 - 0.6)): on lighter paper the 40 levels decide, as before. Measured
#: with the grid on every page of make eval (274 pages) and the real scans: only the dirty-drum pages
#: changed (that ruling found, other lines moved by a pixel).
INK_PAPER_SHARE = 0.6


def half_size(gray: np.ndarray) -> np.ndarray:
    """The image at half its width and height (pixels averaged)."""
    return cv2.resize(gray, (max(1, gray.shape[1] // 2), max(1, gray.shape[0] // 2)), interpolation=cv2.INTER_AREA)


def paper_level(gray: np.ndarray) -> np.ndarray:
    """The paper's gray around each pixel: the median of its surroundings (INK_MEDIAN_BLOCK px, on a
    half-size copy, so that text strokes and halos do not move it)."""
    small = half_size(gray)
    block = max(3, (INK_MEDIAN_BLOCK // 2) | 1)
    return cv2.resize(cv2.medianBlur(small, block), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)


def below_paper(gray: np.ndarray, paper: np.ndarray | None = None) -> np.ndarray:
    """Pixels at least INK_MEDIAN_CONTRAST darker than the paper around them (`paper`, the page's
    paper_level already made), or under INK_PAPER_SHARE of its gray, as 255."""
    paper = paper_level(gray) if paper is None else paper
    below = cv2.compare(gray, cv2.subtract(paper, INK_MEDIAN_CONTRAST), cv2.CMP_LT)
    share = cv2.compare(gray.astype(np.float32), paper.astype(np.float32) * INK_PAPER_SHARE, cv2.CMP_LT)
    return cv2.bitwise_or(below, share)


def contrast_ink_mask(gray: np.ndarray, ink: np.ndarray | None = None, paper: np.ndarray | None = None) -> np.ndarray:
    """ink_mask (or `ink`, the page's ink_mask already made) without the paper that only looks dark
    beside bright halos (see INK_MEDIAN_CONTRAST)."""
    return cv2.bitwise_and(ink_mask(gray) if ink is None else ink, below_paper(gray, paper))


def true_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive True values as (start, end) pairs."""
    padded = np.concatenate([[False], flags, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def ink_gray(rgb: np.ndarray) -> np.ndarray:
    """A colour page in gray where only dark, unsaturated ink stays dark.

    Red seals, blue or green pen marks and coloured highlighter are what people add to a printed
    black draft; plain luminance turns them into ink that crosses rulings and text. Here a pixel is
    lightened by its chroma beyond what black ink has, so marks fade to paper while black ink under
    a seal (dark and gray) stays. A page printed in colour (most dark pixels coloured) keeps plain
    luminance, so a coloured table is never erased.
    """
    if rgb.ndim == 2 or rgb.shape[2] == 1:
        return np.ascontiguousarray(rgb.reshape(rgb.shape[0], rgb.shape[1]))
    rgb = np.ascontiguousarray(rgb[:, :, :3])
    lum = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # Per-channel OpenCV max/min: numpy's reductions over the colour axis took 0.3 s on an A4 page
    # at 200 dpi, a tenth of the page's whole clean-up; these give the same values in 0.05 s.
    r, g, b = cv2.split(rgb)
    chroma = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    excess = cv2.subtract(chroma, INK_MAX_CHROMA)
    dark = lum < DARK_LEVEL
    n_dark = int(np.count_nonzero(dark))
    if n_dark and np.count_nonzero(excess[dark]) > MARKS_MAX_INK_SHARE * n_dark:
        return lum
    # lum + gain × excess, saturated at white (uint8 arithmetic of OpenCV saturates).
    return cv2.addWeighted(lum, 1.0, excess, MARK_CHROMA_GAIN, 0.0)
