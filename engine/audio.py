"""Speech and audio: sampling, the DFT and STFT, windows, the mel scale, MFCC, WaveNet's
dilated causal convolutions, and CTC.

A sound is a sequence x[n] = x(n / f_s) of samples taken f_s times a second. Frequencies
are in hertz; "bins" are the k of the DFT, whose bin k sits at k · f_s / N Hz.
NumPy only (np.fft computes the same DFT as ``dft``, in O(N log N)).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

# --- sampling -----------------------------------------------------------------------------


def sine(freq: float, fs: float, n_samples: int, amplitude: float = 1.0, phase: float = 0.0):
    """x[n] = A sin(2π f n / f_s + φ), n = 0 … n_samples − 1."""
    n = np.arange(n_samples)
    return amplitude * np.sin(2 * np.pi * freq * n / fs + phase)


def nyquist_frequency(fs: float) -> float:
    """f_s / 2: the highest frequency that f_s samples a second can represent."""
    return fs / 2


def alias_frequency(freq: float, fs: float) -> float:
    """The frequency a sine of ``freq`` Hz appears at after sampling at f_s:

    f_alias = | f − f_s · round(f / f_s) |, which lies in 0 … f_s / 2. Below the Nyquist
    frequency it is f itself; above, the spectrum folds back (aliasing).
    """
    return float(abs(freq - fs * np.round(freq / fs)))


# --- the discrete Fourier transform -------------------------------------------------------


def dft(x) -> np.ndarray:
    """X[k] = Σ_{n=0}^{N−1} x[n] e^{−2πi k n / N}, k = 0 … N − 1, as one matrix product."""
    x = np.asarray(x, dtype=np.float64)
    n = np.arange(len(x))
    return np.exp(-2j * np.pi * np.outer(n, n) / len(x)) @ x


def bin_frequencies(n_fft: int, fs: float) -> np.ndarray:
    """The frequency of each non-negative bin of an n_fft-point DFT: k · f_s / N, k ≤ N/2."""
    return np.arange(n_fft // 2 + 1) * fs / n_fft


def window(name: str, n: int) -> np.ndarray:
    """A window of length n (symmetric, as np.hanning / np.hamming):

    rectangular  w[n] = 1
    hann         w[n] = 0.5 − 0.5 cos(2πn / (N − 1))     (0 at both ends)
    hamming      w[n] = 0.54 − 0.46 cos(2πn / (N − 1))   (0.08 at both ends)
    """
    if name == "rectangular":
        return np.ones(n)
    if n == 1:
        return np.ones(1)
    phase = np.cos(2 * np.pi * np.arange(n) / (n - 1))
    if name == "hann":
        return 0.5 - 0.5 * phase
    if name == "hamming":
        return 0.54 - 0.46 * phase
    raise ValueError(f"unknown window {name!r} (known: rectangular, hann, hamming)")


def n_frames(n_samples: int, frame_length: int, hop: int) -> int:
    """How many whole frames fit: 1 + ⌊(L − frame_length) / hop⌋ (no padding)."""
    if n_samples < frame_length:
        return 0
    return 1 + (n_samples - frame_length) // hop


def frame_signal(x, frame_length: int, hop: int) -> np.ndarray:
    """The frames x[t·hop : t·hop + frame_length] as rows of an (n_frames, frame_length) array."""
    x = np.asarray(x, dtype=np.float64)
    count = n_frames(len(x), frame_length, hop)
    index = np.arange(frame_length)[None, :] + hop * np.arange(count)[:, None]
    return x[index]


def stft(x, frame_length: int, hop: int, window_name: str = "hann", n_fft: int | None = None):
    """Short-time Fourier transform: the DFT of every windowed frame.

    S[t, k] = Σ_n w[n] x[t·hop + n] e^{−2πi k n / N}; returns (n_frames, N/2 + 1) complex,
    N = n_fft ≥ frame_length (a frame shorter than N is padded with zeros).
    """
    frames = frame_signal(x, frame_length, hop) * window(window_name, frame_length)
    return np.fft.rfft(frames, n=n_fft or frame_length, axis=1)


def leakage(x, window_name: str, fs: float, freq: float, half_width_hz: float) -> float:
    """The share of a frame's spectral energy that lies farther than ``half_width_hz`` from
    ``freq``: energy the window leaked into other frequencies."""
    spectrum = np.abs(np.fft.rfft(np.asarray(x) * window(window_name, len(x)))) ** 2
    far = np.abs(bin_frequencies(len(x), fs) - freq) > half_width_hz
    return float(spectrum[far].sum() / spectrum.sum())


# --- the mel scale and MFCC ---------------------------------------------------------------


def hz_to_mel(f):
    """mel(f) = 2595 log₁₀(1 + f / 700): about linear below 1 kHz, logarithmic above."""
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    """The inverse: f = 700 (10^{m / 2595} − 1)."""
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(
    n_mels: int, n_fft: int, fs: float, fmin: float = 0.0, fmax: float | None = None
):
    """Triangular filters with centres equally spaced on the mel scale: (n_mels, n_fft/2 + 1).

    n_mels + 2 points equally spaced from mel(fmin) to mel(fmax) are mapped back to hertz;
    filter m rises from point m to point m + 1 and falls to point m + 2. Equal steps in mel
    are narrow at low frequencies and wide at high ones, like the ear's resolution.
    """
    fmax = fs / 2 if fmax is None else fmax
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    freqs = bin_frequencies(n_fft, fs)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - left) / (centre - left)
    falling = (right - freqs[None, :]) / (right - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


def dct_ii(x, n_out: int | None = None) -> np.ndarray:
    """Orthonormal DCT-II over the last axis, first n_out coefficients:

    c_k = s_k Σ_{n=0}^{N−1} x_n cos(π k (2n + 1) / (2N)),  s_0 = √(1/N), s_k = √(2/N).
    """
    x = np.asarray(x, dtype=np.float64)
    size = x.shape[-1]
    k = np.arange(n_out or size)[:, None]
    n = np.arange(size)[None, :]
    basis = np.cos(np.pi * k * (2 * n + 1) / (2 * size)) * np.sqrt(2.0 / size)
    basis[0] /= np.sqrt(2.0)
    return x @ basis.T


def pre_emphasis(x, coefficient: float = 0.97) -> np.ndarray:
    """y[n] = x[n] − α x[n − 1]: boosts high frequencies, which speech has little energy in."""
    x = np.asarray(x, dtype=np.float64)
    return np.concatenate([x[:1], x[1:] - coefficient * x[:-1]])


@dataclass
class MFCCSteps:
    """Every intermediate result of the MFCC pipeline, in order."""

    emphasized: np.ndarray  # (L,)
    frames: np.ndarray  # (T, frame_length), windowed
    power: np.ndarray  # (T, n_fft/2 + 1)   |DFT|² / n_fft
    mel_energies: np.ndarray  # (T, n_mels)
    log_mel: np.ndarray  # (T, n_mels)
    mfcc: np.ndarray  # (T, n_mfcc)


def mfcc(
    x,
    fs: float,
    frame_length: int,
    hop: int,
    n_fft: int,
    n_mels: int,
    n_mfcc: int,
    window_name: str = "hamming",
    pre_emphasis_coefficient: float = 0.97,
) -> MFCCSteps:
    """MFCC: pre-emphasis → framing and window → power spectrum |DFT|² → mel filter bank →
    log → DCT (keep the first n_mfcc coefficients: the spectral envelope)."""
    emphasized = pre_emphasis(x, pre_emphasis_coefficient)
    frames = frame_signal(emphasized, frame_length, hop) * window(window_name, frame_length)
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2 / n_fft
    mel_energies = power @ mel_filterbank(n_mels, n_fft, fs).T
    log_mel = np.log(mel_energies + 1e-10)  # the small constant keeps log away from −∞
    return MFCCSteps(emphasized, frames, power, mel_energies, log_mel, dct_ii(log_mel, n_mfcc))


# --- WaveNet: dilated causal convolution --------------------------------------------------


def causal_conv1d(x, w, dilation: int = 1) -> np.ndarray:
    """y[t] = Σ_{k=0}^{K−1} w[k] · x[t − k·d], with x[t] = 0 for t < 0.

    Causal: y[t] never looks at a future sample. Dilated: the K taps are d samples apart,
    so one layer sees (K − 1)·d + 1 samples with only K weights.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    padded = np.concatenate([np.zeros((len(w) - 1) * dilation), x])
    start = (len(w) - 1) * dilation
    return sum(
        w[k] * padded[start - k * dilation : start - k * dilation + len(x)] for k in range(len(w))
    )


def receptive_field(kernel_size: int, dilations) -> int:
    """Samples one output of a stack of causal convolutions sees: 1 + Σ_l (K − 1)·d_l."""
    return 1 + sum((kernel_size - 1) * d for d in dilations)


def causal_stack(x, kernel_size: int, dilations, weights=None) -> np.ndarray:
    """x through one causal convolution per dilation (linear, all-ones kernels by default)."""
    y = np.asarray(x, dtype=np.float64)
    for layer, d in enumerate(dilations):
        w = np.ones(kernel_size) if weights is None else weights[layer]
        y = causal_conv1d(y, w, d)
    return y


# --- CTC ----------------------------------------------------------------------------------


def ctc_collapse(path, blank: int = 0) -> list[int]:
    """The CTC mapping B: merge runs of the same symbol, then delete blanks.

    B(a a − b b − b) = a b b: the blank between the two b's keeps them apart.
    """
    merged = [symbol for symbol, _ in itertools.groupby(path)]
    return [int(s) for s in merged if s != blank]


def ctc_merge_repeats(path) -> list[int]:
    """The first step of B alone: runs of the same symbol merged (blanks kept)."""
    return [int(symbol) for symbol, _ in itertools.groupby(path)]


def _extended(label, blank: int) -> list[int]:
    """l' = (−, l₁, −, l₂, …, −, l_U, −): blanks around and between the labels."""
    out = [blank]
    for symbol in label:
        out += [int(symbol), blank]
    return out


def ctc_forward(probs, label, blank: int = 0) -> float:
    """p(l | x) = Σ over all paths π with B(π) = l of Π_t y_t(π_t), by the forward recursion

    α_t(s) = (α_{t−1}(s) + α_{t−1}(s−1) [+ α_{t−1}(s−2)]) · y_t(l'_s),

    where the jump from s−2 is allowed when l'_s is not a blank and l'_s ≠ l'_{s−2}.
    probs is (T, V): the softmax output per frame.
    """
    probs = np.asarray(probs, dtype=np.float64)
    ext = _extended(label, blank)
    alpha = np.zeros(len(ext))
    alpha[0] = probs[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = probs[0, ext[1]]
    for t in range(1, len(probs)):
        previous = alpha.copy()
        for s in range(len(ext)):
            total = previous[s] + (previous[s - 1] if s >= 1 else 0.0)
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                total += previous[s - 2]
            alpha[s] = total * probs[t, ext[s]]
    return float(alpha[-1] + (alpha[-2] if len(ext) > 1 else 0.0))


def ctc_count_alignments(label, n_frames: int, n_symbols: int | None = None, blank: int = 0) -> int:
    """How many length-T paths collapse to ``label``: the forward recursion with every y = 1."""
    size = max([blank, *label]) + 1 if n_symbols is None else n_symbols
    return round(ctc_forward(np.ones((n_frames, size)), label, blank))


def ctc_min_frames(label) -> int:
    """The shortest path for a label: one frame per symbol plus a blank between equal neighbours."""
    return len(label) + sum(1 for a, b in itertools.pairwise(label) if a == b)
