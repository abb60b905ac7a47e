"""engine.datasets: the shipped 8×8 digits and the generated toy sets."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from engine.datasets import DIGITS_FILE, load_digits, make_moons, make_spiral, make_xor

CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # per digit 0–9
FIRST_IMAGE = [  # a zero: row 1 of scikit-learn's digits.csv.gz
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]


def all_digits(**options):
    (x_train, t_train), (x_test, t_test) = load_digits(**options)
    return np.concatenate((x_train, x_test)), np.concatenate((t_train, t_test))


def test_the_digits_are_the_1797_images_of_the_uci_test_set():
    x, t = all_digits(normalize=False, test_ratio=0.0)
    assert x.shape == (1797, 64)
    assert np.bincount(t).tolist() == CLASS_COUNTS
    assert x.min() == 0 and x.max() == 16
    np.testing.assert_array_equal(x, np.round(x))
    assert int(x.sum()) == 561_718  # every pixel of the file, summed
    is_first_image = np.all(x == np.ravel(FIRST_IMAGE), axis=1)
    assert is_first_image.any() and set(t[is_first_image]) == {0}


def test_default_split_is_80_20_disjoint_and_covers_every_image():
    (x_train, t_train), (x_test, t_test) = load_digits()
    assert (len(x_train), len(x_test)) == (1438, 359)
    assert t_train.dtype == np.int64 and t_train.shape == (1438,)
    # train + test is the whole set, each image once: the same rows once sorted
    x, _ = all_digits(test_ratio=0.0)
    split = np.concatenate((x_train, x_test))
    np.testing.assert_array_equal(split[np.lexsort(split.T)], x[np.lexsort(x.T)])
    assert np.bincount(np.concatenate((t_train, t_test))).tolist() == CLASS_COUNTS


def test_split_is_deterministic_per_seed():
    first, second, other = load_digits(seed=3), load_digits(seed=3), load_digits(seed=4)
    np.testing.assert_array_equal(first[1][0], second[1][0])
    np.testing.assert_array_equal(first[1][1], second[1][1])
    assert not np.array_equal(first[1][0], other[1][0])


def test_normalize_divides_by_16():
    raw, _ = all_digits(normalize=False, test_ratio=0.0)
    normalized, _ = all_digits(test_ratio=0.0)
    np.testing.assert_array_equal(normalized, raw / 16)
    assert normalized.max() == 1.0


def test_unflattened_images_are_nchw_and_one_hot_labels_match():
    (x_train, t_train), _ = load_digits(flatten=False, one_hot_label=True)
    (_, labels), _ = load_digits()
    assert x_train.shape == (1438, 1, 8, 8)
    assert t_train.shape == (1438, 10)
    np.testing.assert_array_equal(t_train.sum(axis=1), 1)
    np.testing.assert_array_equal(t_train.argmax(axis=1), labels)


def test_dtype_is_chosen_by_the_caller_and_arrays_are_fresh():
    (x_train, t_train), _ = load_digits(one_hot_label=True, dtype=np.float32)
    assert x_train.dtype == t_train.dtype == np.float32
    x_train[...] = -1
    (again, _), _ = load_digits(dtype=np.float32)
    assert again.min() == 0


def test_bad_test_ratio_is_refused():
    with pytest.raises(ValueError, match="test_ratio"):
        load_digits(test_ratio=1.0)


def test_digits_load_fast():
    load_digits()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        load_digits()
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[2] < 0.030


def test_data_file_and_its_licence_note_ship_in_the_package():
    folder = Path(DIGITS_FILE).parent
    assert (folder / "__init__.py").exists(), "a package, so package-data includes the files"
    assert DIGITS_FILE.suffix == ".npz" and DIGITS_FILE.stat().st_size < 60_000
    note = (folder / "LICENSE-digits.txt").read_text(encoding="utf-8")
    for required in ("BSD 3-Clause", "CC BY 4.0", "10.24432/C50P49", "Alpaydin"):
        assert required in note


# --- toy sets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [make_spiral, make_moons, make_xor], ids=lambda make: make.__name__
)
def test_toy_sets_are_seeded(make):
    x, t = make(seed=1)
    again_x, again_t = make(seed=1)
    np.testing.assert_array_equal(x, again_x)
    np.testing.assert_array_equal(t, again_t)
    assert not np.array_equal(x, make(seed=2)[0])
    assert x.ndim == 2 and x.shape[1] == 2 and t.shape == (len(x),) and t.dtype == np.int64


def test_spiral_has_n_points_per_class_on_arms_of_growing_radius():
    x, t = make_spiral(n_per_class=50, n_classes=4, noise=0.0)
    assert x.shape == (200, 2)
    assert np.bincount(t).tolist() == [50] * 4
    radius = np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 50), 4), atol=1e-15)
    # the arms are rotated copies of each other: arm j starts 2πj/K further round
    angle = np.arctan2(x[:, 0], x[:, 1])
    step = np.angle(np.exp(1j * (angle[50:100] - angle[:50])))
    np.testing.assert_allclose(step[1:], np.pi / 2, atol=1e-12)


def test_moons_lie_on_two_interleaving_half_circles():
    x, t = make_moons(n_samples=101, noise=0.0)
    assert np.bincount(t).tolist() == [50, 51]
    np.testing.assert_allclose(np.linalg.norm(x[t == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(x[t == 1] - [1.0, 0.5], axis=1), 1.0)
    assert (x[t == 0, 1] >= -1e-12).all() and (x[t == 1, 1] <= 0.5 + 1e-12).all()


def test_xor_labels_are_the_xor_of_the_corner():
    x, t = make_xor(n_samples=40, noise=0.0)
    np.testing.assert_array_equal(t, x[:, 0].astype(int) ^ x[:, 1].astype(int))
    assert np.bincount(t).tolist() == [20, 20]
    noisy, noisy_t = make_xor(n_samples=2000, noise=0.1)
    corners = np.round(noisy).clip(0, 1).astype(int)
    assert np.mean((corners[:, 0] ^ corners[:, 1]) == noisy_t) > 0.99
