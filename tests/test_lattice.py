"""pipeline/lattice.py: what a CTC recognizer saw, and how likely a text is on it."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import lattice as lat


def lattice_of(steps: list[dict[str, float]], text: str, px_per_step: float = 8.0) -> lat.CharLattice:
    """A lattice from per-step character probabilities (the blank takes what is left), with a sure
    blank step between characters, as a CTC recognizer gives them."""
    classes = ["", *dict.fromkeys(ch for step in steps for ch in step)]
    rows = []
    for step in steps:
        row = np.zeros(len(classes))
        for ch, p in step.items():
            row[classes.index(ch)] = p
        row[0] = 1.0 - row.sum()
        rows += [row, np.eye(len(classes))[0] * 0.9999 + 0.0001 / len(classes)]
    return lat.from_probabilities(np.array(rows), classes, px_per_step, text)


#: 区女联 read; 妇 was the recognizer's second choice for the middle character.
READ = [{"区": 0.999}, {"女": 0.55, "妇": 0.35, "文": 0.02}, {"联": 0.995}]


def test_the_reading_is_the_likeliest_text_and_a_second_choice_is_close():
    lattice = lattice_of(READ, "区女联")
    read, second, third = (lat.log_likelihood(lattice, t) for t in ("区女联", "区妇联", "区文联"))
    assert read > second > third
    assert read - second == pytest.approx(math.log(0.55 / 0.35), abs=0.05)
    assert read - third == pytest.approx(math.log(0.55 / 0.02), abs=0.05)


def test_a_character_the_recognizer_never_considered_costs_at_least_the_floor():
    lattice = lattice_of(READ, "区女联")
    unseen = lat.log_likelihood(lattice, "区教联")
    assert lat.log_likelihood(lattice, "区女联") - unseen >= -lat.FLOOR_LOGP - math.log(1 / 0.55)


def test_a_dropped_or_an_added_character_is_unlikely():
    """Unlike the unsure 女, the sure 区 is not dropped cheaply: the blank had 0.001 where it stands."""
    lattice = lattice_of(READ, "区女联")
    read = lat.log_likelihood(lattice, "区女联")
    assert read - lat.log_likelihood(lattice, "女联") > 6.0
    assert read - lat.log_likelihood(lattice, "区联") < 2.0
    assert read - lat.log_likelihood(lattice, "区女女联") > 3.0


def test_whitespace_is_not_scored():
    lattice = lattice_of(READ, "区女联")
    assert lat.log_likelihood(lattice, "区 女\n联") == lat.log_likelihood(lattice, "区女联")


def test_sure_blank_steps_keep_no_character():
    lattice = lattice_of(READ, "区女联")
    blank_steps = lattice.logp[:, 0] >= math.log(lat.BLANK_SURE)
    assert blank_steps.sum() == 3
    assert (lattice.chars[blank_steps][:, 1:] == lat.BLANK).all()
    assert "妇" in set(lattice.chars[~blank_steps].ravel())


def test_lines_concatenated_score_a_name_wrapped_across_them():
    first = lattice_of([{"区": 0.95}, {"妇": 0.9}], "区妇")
    second = lattice_of([{"联": 0.9}, {"、": 0.9}], "联、")
    both = lat.concatenate([first, second])
    assert both.text == "区妇联、"
    assert both.steps == first.steps + second.steps
    joined = lat.log_likelihood(both, "区妇联、")
    assert joined >= lat.log_likelihood(first, "区妇") + lat.log_likelihood(second, "联、") - 1e-6
    assert joined - lat.log_likelihood(both, "区女联、") > 5.0


def test_an_empty_text_is_the_blank_at_every_step():
    """A title one version lost is compared as the empty text: all blanks, as unlikely as the ink was sure."""
    lattice = lattice_of(READ, "区女联")
    assert lat.log_likelihood(lattice, "") == pytest.approx(float(lattice.logp[:, 0].sum()), abs=1e-4)
    assert lat.log_likelihood(lattice, "区女联") - lat.log_likelihood(lattice, "") > 10.0


def test_path_probabilities_give_each_read_character_its_best_step():
    """A character spread over two steps keeps the likelier one; the blank between adds nothing."""
    lattice = lattice_of(READ, "区女联")
    spread = lat.from_probabilities(
        np.array([[0.02, 0.96, 0.02], [0.3, 0.7, 0.0], [0.99, 0.0, 0.01], [0.4, 0.0, 0.6]]),
        ["", "完", "，"], 8.0, "完，")
    assert [(ch, round(p, 2)) for ch, p in lat.path_probabilities(lattice)] == [("区", 1.0), ("女", 0.55),
                                                                               ("联", 0.99)]
    assert [(ch, round(p, 2)) for ch, p in lat.path_probabilities(spread)] == [("完", 0.96), ("，", 0.6)]
