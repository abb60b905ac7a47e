"""Demos in engine.demos.speech, against independent computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


@pytest.mark.parametrize(
    ("freq", "fs", "n", "peak"),
    [(7000, 10000, 500, 3000), (3000, 10000, 500, 3000), (30000, 44100, 441, 14100)],
)
def test_speech_aliasing_peak_is_the_folded_frequency(freq, fs, n, peak):
    values = run_demo("speech-aliasing", freq=freq, fs=fs, n=n).values
    x = np.sin(2 * np.pi * freq * np.arange(n) / fs)
    spectrum = np.abs(np.fft.rfft(x))
    assert values["peak_frequency"] == pytest.approx(np.argmax(spectrum) * fs / n)
    assert values["peak_frequency"] == pytest.approx(peak)
    assert values["nyquist"] == fs / 2
    assert values["aliased"] is (freq > fs / 2)
    assert values["same_samples_as_alias"] is True


@pytest.mark.parametrize(
    ("n_samples", "frame", "hop"), [(16000, 400, 160), (8000, 256, 128), (1000, 100, 30)]
)
def test_speech_stft_counts(n_samples, frame, hop):
    values = run_demo(
        "speech-stft", fs=8000, n_samples=n_samples, frame_length=frame, hop=hop, f1=1000, f2=2000
    ).values
    assert values["n_frames"] == len(range(0, n_samples - frame + 1, hop))
    assert values["n_bins"] == frame // 2 + 1
    assert values["freq_resolution"] == pytest.approx(8000 / frame)
    assert values["hop_ms"] == pytest.approx(1000 * hop / 8000)


def test_speech_stft_finds_both_tones_and_validates():
    values = run_demo("speech-stft", f1=500, f2=1500, fs=8000, frame_length=256).values
    assert (values["first_peak"], values["last_peak"]) == (500, 1500)
    with pytest.raises(ParameterError, match="speech-stft"):
        run_demo("speech-stft", n_samples=100, frame_length=256)


def test_speech_window_leakage():
    values = run_demo("speech-window", N=64, fs=8000, freq=1062.5, half_width_bins=3).values
    n = np.arange(64)
    x = np.sin(2 * np.pi * 1062.5 * n / 8000)
    freqs = np.arange(33) * 8000 / 64
    far = np.abs(freqs - 1062.5) > 3 * 8000 / 64
    windows = {
        "rectangular": np.ones(64),
        "hann": 0.5 - 0.5 * np.cos(2 * np.pi * n / 63),
        "hamming": 0.54 - 0.46 * np.cos(2 * np.pi * n / 63),
    }
    for name, w in windows.items():
        power = np.abs(np.fft.rfft(x * w)) ** 2
        assert values[f"leakage_{name}"] == pytest.approx(power[far].sum() / power.sum())
        assert values[f"end_{name}"] == pytest.approx(w[0])
    assert values["cycles_per_frame"] == pytest.approx(8.5)
    with pytest.raises(ParameterError, match="speech-window"):
        run_demo("speech-window", fs=8000, freq=4000)


@pytest.mark.parametrize("f", [0.0, 700.0, 1000.0, 4000.0])
def test_speech_mel(f):
    values = run_demo("speech-mel", f=f, n_mels=10, fs=16000).values
    assert values["mel"] == pytest.approx(2595 * math.log10(1 + f / 700))
    assert values["hz_back"] == pytest.approx(f, abs=1e-9)
    top = 2595 * math.log10(1 + 8000 / 700)
    mels = np.linspace(0, top, 12)
    edges = 700 * (10 ** (mels / 2595) - 1)
    assert values["centres"] == pytest.approx(edges[1:-1].tolist())
    assert values["bandwidths"] == pytest.approx((edges[2:] - edges[:-2]).tolist())


def test_speech_mfcc_shapes():
    values = run_demo("speech-mfcc").values
    frames = 1 + (16000 - 400) // 160
    assert (values["frame_length"], values["hop"]) == (400, 160)
    assert values["frames_shape"] == [frames, 400]
    assert values["power_shape"] == [frames, 257]
    assert values["mel_shape"] == [frames, 40]
    assert values["mfcc_shape"] == [frames, 13]
    with pytest.raises(ParameterError, match="speech-mfcc"):
        run_demo("speech-mfcc", n_mfcc=50, n_mels=40)


@pytest.mark.parametrize(
    ("K", "dilations", "stacks"),
    [(2, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], 1), (2, [1, 2, 4], 3), (3, [1, 3, 9], 1)],
)
def test_speech_wavenet_receptive_field(K, dilations, stacks):
    values = run_demo(
        "speech-wavenet-receptive-field", K=K, dilations=dilations, stacks=stacks
    ).values
    expected = 1 + stacks * sum((K - 1) * d for d in dilations)
    assert values["receptive_field"] == values["formula"] == expected
    assert values["layers"] == stacks * len(dilations)
    assert values["undilated_receptive_field"] == 1 + (K - 1) * stacks * len(dilations)
    assert values["causal"] is True


def collapse(path):
    out, prev = [], None
    for s in path:
        if s != prev and s != 0:
            out.append(s)
        prev = s
    return out


@pytest.mark.parametrize(
    "path", [[1, 1, 0, 2, 2, 0, 2, 3], [8, 8, 0, 5, 0, 12, 12, 0, 12, 15], [0, 0, 0]]
)
def test_speech_ctc_collapse(path):
    values = run_demo("speech-ctc-collapse", path=path).values
    assert values["collapsed"] == collapse(path)
    assert values["merged"] == [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
    assert values["text"] == "".join(chr(ord("a") + s - 1) for s in collapse(path))


def test_speech_ctc_collapse_rejects_fractions():
    with pytest.raises(ParameterError, match="speech-ctc-collapse"):
        run_demo("speech-ctc-collapse", path=[1.5, 2])


@pytest.mark.parametrize(("label", "T"), [([1, 2], 3), ([1, 2], 4), ([1, 1], 4), ([3, 1, 20], 5)])
def test_speech_ctc_alignments(label, T):
    values = run_demo("speech-ctc-alignments", label=label, T=T).values
    alphabet = sorted({0, *label})
    count = sum(1 for p in itertools.product(alphabet, repeat=T) if collapse(list(p)) == label)
    assert values["n_alignments"] == values["brute_force"] == count
    assert values["uniform_probability"] == pytest.approx(count / len(alphabet) ** T)
    repeats = sum(1 for a, b in itertools.pairwise(label) if a == b)
    assert values["min_frames"] == len(label) + repeats
