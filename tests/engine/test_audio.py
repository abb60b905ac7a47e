"""engine.audio: sampling, DFT/STFT, windows, mel scale, MFCC, causal convolutions, CTC."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine import audio


def test_sine_and_aliasing():
    x = audio.sine(7000, 10000, 100)
    alias = audio.sine(3000, 10000, 100)
    assert np.allclose(x, -alias)  # the same samples, up to the sign
    assert audio.nyquist_frequency(44100) == 22050
    assert audio.alias_frequency(7000, 10000) == pytest.approx(3000)
    assert audio.alias_frequency(3000, 10000) == pytest.approx(3000)
    assert audio.alias_frequency(12000, 10000) == pytest.approx(2000)
    assert audio.alias_frequency(30000, 44100) == pytest.approx(14100)


def test_dft_matches_numpy_fft():
    x = np.random.default_rng(0).standard_normal(37)
    assert np.allclose(audio.dft(x), np.fft.fft(x))
    assert audio.bin_frequencies(8, 16000).tolist() == [0, 2000, 4000, 6000, 8000]


@pytest.mark.parametrize(("name", "reference"), [("hann", np.hanning), ("hamming", np.hamming)])
def test_windows_match_numpy(name, reference):
    assert np.allclose(audio.window(name, 33), reference(33))
    assert np.array_equal(audio.window("rectangular", 5), np.ones(5))
    with pytest.raises(ValueError):
        audio.window("kaiser", 8)


def test_framing_and_stft():
    x = np.arange(20.0)
    frames = audio.frame_signal(x, 6, 4)
    assert audio.n_frames(20, 6, 4) == 1 + (20 - 6) // 4 == len(frames)
    assert frames[1].tolist() == [4, 5, 6, 7, 8, 9]
    assert audio.n_frames(16000, 400, 160) == 98
    signal = audio.sine(1000, 8000, 800)
    spectrum = audio.stft(signal, 64, 32, "hann")
    assert spectrum.shape == (audio.n_frames(800, 64, 32), 33)
    expected = np.fft.rfft(frames_of(signal, 64, 32)[0] * np.hanning(64))
    assert np.allclose(spectrum[0], expected)
    assert np.argmax(np.abs(spectrum[3])) == 1000 / (8000 / 64)


def frames_of(x, length, hop):
    return np.array([x[i : i + length] for i in range(0, len(x) - length + 1, hop)])


def test_windows_reduce_leakage():
    x = audio.sine(1062.5, 8000, 64)
    rect = audio.leakage(x, "rectangular", 8000, 1062.5, 375)
    hann = audio.leakage(x, "hann", 8000, 1062.5, 375)
    assert hann < rect / 100


def test_mel_scale():
    assert audio.hz_to_mel(0) == 0
    assert audio.hz_to_mel(700) == pytest.approx(2595 * math.log10(2))
    assert audio.hz_to_mel(1000) == pytest.approx(1000, abs=0.1)
    f = np.array([50.0, 440.0, 3000.0, 7900.0])
    assert np.allclose(audio.mel_to_hz(audio.hz_to_mel(f)), f)


def test_mel_filterbank_triangles():
    bank = audio.mel_filterbank(10, 512, 16000)
    assert bank.shape == (10, 257)
    assert np.all(bank >= 0) and np.all(bank <= 1)
    freqs = audio.bin_frequencies(512, 16000)
    edges = audio.mel_to_hz(np.linspace(0, audio.hz_to_mel(8000), 12))
    # each filter is zero outside (edge m, edge m + 2) and peaks near edge m + 1
    for m in range(10):
        outside = (freqs <= edges[m]) | (freqs >= edges[m + 2])
        assert np.all(bank[m][outside] == 0)
        assert abs(freqs[np.argmax(bank[m])] - edges[m + 1]) <= 16000 / 512
    widths = edges[2:] - edges[:-2]
    assert np.all(np.diff(widths) > 0)  # wider filters at higher frequencies


def test_dct_ii_is_orthonormal():
    n = 8
    basis = audio.dct_ii(np.eye(n))  # row k of the result is column k of the basis
    assert np.allclose(basis @ basis.T, np.eye(n))
    x = np.random.default_rng(0).standard_normal(n)
    k = 2
    expected = math.sqrt(2 / n) * sum(
        x[i] * math.cos(math.pi * k * (2 * i + 1) / (2 * n)) for i in range(n)
    )
    assert audio.dct_ii(x)[k] == pytest.approx(expected)
    assert audio.dct_ii(x, 3).shape == (3,)


def test_pre_emphasis_and_mfcc_shapes():
    x = np.array([1.0, 2.0, 4.0])
    assert audio.pre_emphasis(x).tolist() == pytest.approx([1.0, 2.0 - 0.97, 4.0 - 1.94])
    signal = audio.sine(300, 16000, 16000) + 0.5 * audio.sine(1200, 16000, 16000)
    steps = audio.mfcc(signal, 16000, 400, 160, 512, 40, 13)
    assert steps.frames.shape == (98, 400)
    assert steps.power.shape == (98, 257)
    assert steps.mel_energies.shape == (98, 40)
    assert steps.mfcc.shape == (98, 13)
    assert np.allclose(steps.mfcc, audio.dct_ii(steps.log_mel)[:, :13])


def test_causal_conv1d_matches_numpy_convolve():
    x = np.random.default_rng(1).standard_normal(20)
    w = np.array([0.5, -1.0, 2.0])
    # dilation 1: y[t] = Σ_k w[k] x[t − k], the first len(x) values of the full convolution
    assert np.allclose(audio.causal_conv1d(x, w, 1), np.convolve(x, w)[:20])
    # dilation 3: the same with the kernel spread out by zeros
    spread = np.zeros(7)
    spread[::3] = w
    assert np.allclose(audio.causal_conv1d(x, w, 3), np.convolve(x, spread)[:20])


def test_receptive_field_of_a_dilated_stack():
    dilations = [2**i for i in range(10)]
    assert audio.receptive_field(2, dilations) == 1024
    impulse = np.zeros(1500)
    impulse[100] = 1.0
    response = audio.causal_stack(impulse, 2, dilations)
    hit = np.nonzero(response)[0]
    assert hit.min() == 100  # causal: nothing before the impulse
    assert hit.max() - hit.min() + 1 == 1024
    assert audio.receptive_field(3, [1, 2, 4]) == 15


def brute_force_count(label, frames, symbols):
    return sum(
        1
        for path in itertools.product(range(symbols), repeat=frames)
        if audio.ctc_collapse(path) == label
    )


def test_ctc_collapse():
    assert audio.ctc_collapse([1, 1, 0, 2, 2, 0, 2]) == [1, 2, 2]
    assert audio.ctc_merge_repeats([1, 1, 0, 0, 2]) == [1, 0, 2]
    assert audio.ctc_collapse([0, 0, 0]) == []


@pytest.mark.parametrize(
    ("label", "frames"),
    [([1, 2], 3), ([1, 2], 4), ([1, 1], 4), ([1, 2, 1], 5), ([1], 4), ([1, 1], 2)],
)
def test_ctc_alignment_count_matches_brute_force(label, frames):
    assert audio.ctc_count_alignments(label, frames, 3) == brute_force_count(label, frames, 3)


def test_ctc_forward_probability_matches_brute_force():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((4, 3))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    label = [1, 2]
    expected = sum(
        np.prod([probs[t, s] for t, s in enumerate(path)])
        for path in itertools.product(range(3), repeat=4)
        if audio.ctc_collapse(path) == label
    )
    assert audio.ctc_forward(probs, label) == pytest.approx(expected)


def test_ctc_min_frames():
    assert audio.ctc_min_frames([1, 2]) == 2
    assert audio.ctc_min_frames([1, 1]) == 3
    assert audio.ctc_min_frames([8, 5, 12, 12, 15]) == 6
