"""What a CTC line recognizer saw, kept so that a later stage can ask how well the image supports a text.

A CTC recognizer (PP-OCR) gives, at each step along the line, a probability for every character and
for "nothing here" (the blank); the text it reports is only the likeliest character per step. The
repair stage, which knows the agency names, may ask: is 区妇联 nearly as likely on this image as the
区女联 that was read? `log_likelihood` answers with the CTC forward algorithm (the probability of a
text summed over every alignment of it to the steps), on a lattice cut to each step's few likeliest
characters so that it stays small enough to travel with the line through the pipeline.
Engine-neutral: characters are kept as characters, not as one model's class numbers, so the
readings of two models can be spliced (ppocr.CascadeEngine).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: The blank of CTC ("no character at this step") in `CharLattice.chars`.
BLANK = ""
#: Characters kept per step besides the blank. Measured on the agency cells of `tests/ocr_lines.py`
#: (3 documents, 10 scan styles, PP-OCRv6 small): the names the image rescoring in repair recovers on
#: the 1-bit light-toner pages were the same with 5 as with the full distribution (18 000 classes),
#: 177 vs 180 of 270 at a 5-nat budget, no wrong one either way.
TOP_K = 5
#: Log-probability of a character outside a step's TOP_K (1e-4): lower than any kept one in practice,
#: and a text needing it at many steps is as unlikely as it should be.
FLOOR_LOGP = math.log(1e-4)
#: A step whose blank has at least this probability keeps no character: each is then under 1e-3, and
#: FLOOR_LOGP stands for it. On 74 lines of 1-bit pages it leaves 40-60% of the steps to sort
#: (0.6 ms a line for v6 tiny, 1.1 ms for v6 small, against 2.8 and 6.7 ms for every step).
BLANK_SURE = 0.999


@dataclass(frozen=True, eq=False)
class CharLattice:
    """One line's recognizer output, per step: the TOP_K likeliest characters besides the blank
    (`chars`, (T, K+1) strings, column 0 the blank) and their log-probabilities (`logp`, same shape), the
    step's x centre in the line image (`xs`, (T,)), and the text given for the line (`text`). A line
    image that is several printed lines stitched side by side (a narrow cell's) names the x of each
    seam (`seams`), where the white between two characters is no character read as nothing."""

    text: str
    chars: np.ndarray
    logp: np.ndarray
    xs: np.ndarray
    seams: tuple[float, ...] = ()

    @property
    def steps(self) -> int:
        return int(self.logp.shape[0])


def from_probabilities(probs: np.ndarray, classes: Sequence[str], px_per_step: float, text: str,
                       top_k: int = TOP_K) -> CharLattice:
    """A lattice from a CTC output (T, C) of probabilities whose class 0 is the blank. Steps the
    model is all but sure are blank (BLANK_SURE) keep the blank alone: sorting 18 000 classes at
    every step would cost a tenth of the recognizer's own time."""
    steps, n_classes = probs.shape
    k = max(1, min(top_k, n_classes - 1))
    names = np.array([*classes[1:], *([BLANK] * max(0, n_classes - len(classes)))], dtype=str)
    chars = np.full((steps, k + 1), BLANK, dtype=names.dtype)
    logp = np.full((steps, k + 1), FLOOR_LOGP, dtype=np.float32)
    logp[:, 0] = np.log(np.clip(probs[:, 0], 1e-12, 1.0))
    rows = np.flatnonzero(probs[:, 0] < BLANK_SURE)
    if rows.size:
        rest = probs[rows, 1:]
        top = np.argpartition(rest, -k, axis=1)[:, -k:]
        chars[rows, 1:] = names[top]
        logp[rows, 1:] = np.log(np.clip(np.take_along_axis(rest, top, axis=1), 1e-12, 1.0))
    xs = ((np.arange(steps) + 0.5) * px_per_step).astype(np.float32)
    return CharLattice(text, chars, logp, xs)


def _best_runs(lattice: CharLattice) -> list[tuple[str, int, float]]:
    """The likeliest path's characters (CTC: repeats collapsed, blanks dropped), each with its first
    step and the highest probability it has at the steps it spans."""
    best = np.argmax(lattice.logp, axis=1)
    out: list[tuple[str, int, float]] = []
    previous = BLANK
    for step, column in enumerate(best):
        char = str(lattice.chars[step, column])
        p = math.exp(float(lattice.logp[step, column]))
        if char != BLANK and char == previous:
            out[-1] = (char, out[-1][1], max(out[-1][2], p))
        elif char != BLANK:
            out.append((char, step, p))
        previous = char
    return out


def greedy_path(lattice: CharLattice) -> list[tuple[str, int]]:
    """The characters of the lattice's likeliest path (CTC: repeats collapsed, blanks dropped), each
    with its step."""
    return [(char, step) for char, step, _ in _best_runs(lattice)]


def path_probabilities(lattice: CharLattice) -> list[tuple[str, float]]:
    """The characters of `greedy_path`, each with the highest probability it has at the steps it
    spans: how sure the recognizer was of that character."""
    return [(char, p) for char, _, p in _best_runs(lattice)]


def align_to_path(path: Sequence[str], text: str, replaced: bool = False) -> list[tuple[int, int]]:
    """(index in `path`, index in `text`) of the characters of a lattices' path that align with
    `text`: where `text` without its whitespace occurs once in the path, there (a fragment of a
    cell, an agency name); else the path's equal runs against it (difflib), and with `replaced` also
    the characters replaced one for one (a repair that changed a character in place)."""
    places = [j for j, ch in enumerate(text) if not ch.isspace()]
    bare = "".join(text[j] for j in places)
    joined = "".join(path)
    at = joined.find(bare)
    if bare and at >= 0 and joined.find(bare, at + 1) < 0 and len(joined) == len(path):
        return [(at + k, j) for k, j in enumerate(places)]
    matcher = difflib.SequenceMatcher(None, list(path), list(bare), autojunk=False)
    return [(i0 + k, places[j0 + k]) for tag, i0, i1, j0, j1 in matcher.get_opcodes()
            if tag == "equal" or (replaced and tag == "replace" and i1 - i0 == j1 - j0)
            for k in range(i1 - i0)]


def aligned_probabilities(lattices: Sequence[CharLattice], text: str) -> dict[int, float]:
    """{index in `text`: the probability the recognizer read it at (`path_probabilities`)} for each
    character of `text` that aligns with the lattices' path, as read or replaced one for one."""
    path = [pair for lattice in lattices for pair in path_probabilities(lattice)]
    return {j: path[i][1] for i, j in align_to_path([char for char, _ in path], text, replaced=True)}


def cost_of_mark_after(lattice: CharLattice, mark: str) -> float:
    """How many nats less likely the line's reading is with `mark` after it: small where the image
    shows a mark the recognizer let the blank win over, large where nothing is printed."""
    read = "".join(lattice.text.split())
    return log_likelihood(lattice, read) - log_likelihood(lattice, read + mark)


def concatenate(lattices: Sequence[CharLattice]) -> CharLattice:
    """Lines read one after another as one sequence of steps (a name wrapped onto the next line); each
    line's xs as they were (not offset), and no seams."""
    if len(lattices) == 1:
        return lattices[0]
    width = max(lat.chars.shape[1] for lat in lattices)

    def padded(a: np.ndarray, fill: object) -> np.ndarray:
        out = np.full((a.shape[0], width), fill, dtype=a.dtype)
        out[:, :a.shape[1]] = a
        return out

    return CharLattice(
        "".join(lat.text for lat in lattices),
        np.concatenate([padded(lat.chars, BLANK) for lat in lattices]),
        np.concatenate([padded(lat.logp, np.float32(FLOOR_LOGP)) for lat in lattices]),
        np.concatenate([lat.xs for lat in lattices]),
    )


def _emissions(lattice: CharLattice, labels: Sequence[str]) -> np.ndarray:
    """(T, len(labels)) log-probability of each label at each step; one not kept gets FLOOR_LOGP, or
    the step's least kept one when that is lower (a character outside the top K is no likelier)."""
    floor = np.minimum(FLOOR_LOGP, lattice.logp[:, 1:].min(axis=1)) if lattice.logp.shape[1] > 1 \
        else np.full(lattice.steps, FLOOR_LOGP)
    out = np.repeat(floor[:, None].astype(np.float64), len(labels), axis=1)
    for j, label in enumerate(labels):
        if label == BLANK:
            out[:, j] = lattice.logp[:, 0]
            continue
        hit = lattice.chars == label
        rows = hit.any(axis=1)
        if rows.any():
            out[rows, j] = np.where(hit, lattice.logp, -np.inf).max(axis=1)[rows]
    return out


def log_likelihood(lattice: CharLattice, text: str) -> float:
    """log P(text | image) under CTC: the forward algorithm over every alignment of `text`
    (whitespace dropped: the recognizers' space class is not used between Chinese characters)."""
    chars = [ch for ch in text if not ch.isspace()]
    if lattice.steps == 0:
        return 0.0 if not chars else -math.inf
    if not chars:  # blank at every step (a title one version lost)
        return float(lattice.logp[:, 0].sum(dtype=np.float64))
    extended = [BLANK]
    for ch in chars:
        extended += [ch, BLANK]
    n = len(extended)  # at least 3
    labels = list(dict.fromkeys(extended))
    column = {label: j for j, label in enumerate(labels)}
    em = _emissions(lattice, labels)[:, [column[label] for label in extended]]
    may_skip = np.zeros(n, dtype=bool)
    for s in range(2, n):
        may_skip[s] = extended[s] != BLANK and extended[s] != extended[s - 2]
    alpha = np.full(n, -np.inf)
    alpha[0], alpha[1] = em[0, 0], em[0, 1]
    for t in range(1, lattice.steps):
        stay = alpha
        step = np.concatenate([[-np.inf], alpha[:-1]])
        jump = np.concatenate([[-np.inf, -np.inf], alpha[:-2]])
        jump[~may_skip] = -np.inf
        alpha = np.logaddexp(np.logaddexp(stay, step), jump) + em[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]))
