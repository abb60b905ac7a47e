"""Data augmentation on NCHW batches: each transform checked image by image against a plain
loop, seeded, and leaving its input untouched."""

from __future__ import annotations

import numpy as np
import pytest

from engine.augment import mixup, random_crop, random_erasing, random_flip


def batch(n=6, c=2, h=5, w=7, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, h, w))


def test_random_flip_mirrors_exactly_the_chosen_images():
    x = batch()
    original = x.copy()
    y, flipped = random_flip(x, p=0.5, rng=1)
    assert 0 < flipped.sum() < len(x)  # seed 1 flips some and keeps some
    for image, out, was_flipped in zip(x, y, flipped, strict=True):
        np.testing.assert_array_equal(out, image[:, :, ::-1] if was_flipped else image)
    np.testing.assert_array_equal(x, original)


def test_vertical_flip_reverses_the_rows_and_p_one_flips_all():
    x = batch()
    y, flipped = random_flip(x, p=1.0, axis="vertical", rng=0)
    assert flipped.all()
    np.testing.assert_array_equal(y, x[:, :, ::-1, :])
    with pytest.raises(ValueError, match="horizontal"):
        random_flip(x, axis="diagonal")


def test_random_crop_cuts_each_image_at_its_own_position():
    x = batch()
    crops, tops, lefts = random_crop(x, (3, 4), pad=1, rng=2)
    assert crops.shape == (6, 2, 3, 4)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for n in range(len(x)):
        np.testing.assert_array_equal(
            crops[n], padded[n, :, tops[n] : tops[n] + 3, lefts[n] : lefts[n] + 4]
        )
    assert tops.max() <= 7 - 3 and lefts.max() <= 9 - 4


def test_random_crop_of_full_size_with_padding_shifts_and_keeps_the_size():
    x = batch(n=50)
    crops, tops, _ = random_crop(x, (5, 7), pad=2, rng=3)
    assert crops.shape == x.shape
    assert set(tops.tolist()) <= set(range(5)) and len(set(tops.tolist())) > 1
    with pytest.raises(ValueError, match="does not fit"):
        random_crop(x, (8, 8))


def test_random_erasing_fills_one_rectangle_per_chosen_image():
    x = batch(n=40, h=8, w=8) + 10  # no pixel is 0 before erasing
    y, mask = random_erasing(x, p=0.5, value=0.0, rng=4)
    assert mask.shape == (40, 1, 8, 8)
    np.testing.assert_array_equal(y == 0, np.broadcast_to(mask, y.shape))
    np.testing.assert_array_equal(
        y[~np.broadcast_to(mask, y.shape)], x[~np.broadcast_to(mask, x.shape)]
    )
    erased = mask.any(axis=(1, 2, 3))
    assert 0 < erased.sum() < 40
    for m in mask[erased, 0]:
        rows, cols = np.nonzero(m.any(axis=1))[0], np.nonzero(m.any(axis=0))[0]
        # a solid rectangle: its bounding box is full
        assert m[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].all()
        assert m.sum() == len(rows) * len(cols)


def test_mixup_blends_images_and_labels_with_the_same_lambda():
    x = batch(n=5)
    labels = np.array([0, 1, 2, 1, 0])
    x_mixed, t_mixed, lam, perm = mixup(x, labels, alpha=0.4, rng=5)
    assert 0 <= lam <= 1
    one_hot = np.eye(3)[labels]
    np.testing.assert_allclose(x_mixed, lam * x + (1 - lam) * x[perm])
    np.testing.assert_allclose(t_mixed, lam * one_hot + (1 - lam) * one_hot[perm])
    np.testing.assert_allclose(t_mixed.sum(axis=1), 1)
    assert sorted(perm.tolist()) == list(range(5))


def test_mixup_with_a_fixed_lambda_and_its_validation():
    x = batch(n=4)
    t = np.eye(4)
    _, t_mixed, lam, perm = mixup(x, t, lam=0.7, rng=6)
    assert lam == 0.7
    np.testing.assert_allclose(t_mixed, 0.7 * t + 0.3 * t[perm])
    with pytest.raises(ValueError, match="lam"):
        mixup(x, t, lam=1.5)
    with pytest.raises(ValueError, match="alpha"):
        mixup(x, t, alpha=0.0)


def test_every_transform_is_deterministic_for_a_seed():
    x = batch()
    for transform in (
        lambda r: random_flip(x, rng=r)[0],
        lambda r: random_crop(x, (4, 4), pad=1, rng=r)[0],
        lambda r: random_erasing(x, p=1.0, rng=r)[0],
        lambda r: mixup(x, np.arange(6) % 3, rng=r)[0],
    ):
        np.testing.assert_array_equal(transform(7), transform(7))


def test_a_batch_that_is_not_nchw_is_rejected():
    with pytest.raises(ValueError, match="N, C, H, W"):
        random_flip(np.zeros((3, 8, 8)))


def test_spec_augment_masks_one_band_of_rows_and_one_stretch_of_columns():
    from engine.augment import spec_augment

    x = batch(n=20, c=1, h=16, w=30) + 10
    y, mask = spec_augment(x, freq_width=4, time_width=6, rng=8)
    full = np.broadcast_to(mask, x.shape)
    np.testing.assert_array_equal(y[full], 0)
    np.testing.assert_array_equal(y[~full], x[~full])
    for m in mask[:, 0]:
        full_rows = np.nonzero(m.all(axis=1))[0]  # the frequency band spans every time step
        full_cols = np.nonzero(m.all(axis=0))[0]  # the time stretch spans every frequency
        assert len(full_rows) <= 4 and len(full_cols) <= 6
        if len(full_rows):
            assert full_rows[-1] - full_rows[0] + 1 == len(full_rows)
        if len(full_cols):
            assert full_cols[-1] - full_cols[0] + 1 == len(full_cols)
        expected = np.zeros_like(m)
        expected[full_rows, :] = True
        expected[:, full_cols] = True
        np.testing.assert_array_equal(m, expected)
    with pytest.raises(ValueError, match="must fit"):
        spec_augment(x, freq_width=17)
