import cv2
import numpy as np
import pytest
from conftest import as_page

from pipeline.clean import clean_page, estimate_skew, upright_rotation
from pipeline.settings import Settings


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), borderValue=255)


@pytest.mark.parametrize("degrees", [-2.0, -0.7, 0.0, 1.2, 2.0])
def test_estimate_skew_measures_the_rotation(clean_images, degrees):
    skew = estimate_skew(rotate(clean_images[0], degrees))
    assert skew is not None
    assert skew == pytest.approx(-degrees, abs=0.1)


def test_clean_page_straightens_rulings(clean_images):
    page, report = clean_page(as_page(rotate(clean_images[1], 1.5)), Settings())
    assert report.skew_deg == pytest.approx(-1.5, abs=0.1)
    assert abs(estimate_skew(page.image)) < 0.1


@pytest.mark.parametrize(("turn", "expected"), [
    (None, 0), (cv2.ROTATE_180, 180), (cv2.ROTATE_90_CLOCKWISE, 270), (cv2.ROTATE_90_COUNTERCLOCKWISE, 90),
])
def test_upright_rotation_finds_the_turn(clean_images, turn, expected):
    image = clean_images[0] if turn is None else cv2.rotate(clean_images[0], turn)
    assert upright_rotation(image) == expected


def test_clean_page_turns_an_upside_down_page_upright(clean_images):
    page, report = clean_page(as_page(cv2.rotate(clean_images[2], cv2.ROTATE_180)), Settings())
    assert report.rotation == 180
    assert np.mean(np.abs(page.image.astype(int) - clean_images[2].astype(int))) < 3


def test_text_layer_pages_are_left_alone(clean_images):
    from dataclasses import replace

    page = replace(as_page(clean_images[0]), source="text-layer")
    cleaned, report = clean_page(page, Settings())
    assert cleaned is page and report.rotation == 0
