"""Demos on speech processing: sampling and aliasing, DFT/STFT and windows, the mel scale,
MFCC, WaveNet's dilated causal convolutions, and CTC."""

from __future__ import annotations

import itertools

import numpy as np

from engine import audio
from engine.demos.registry import (
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)

SYLLABUS_SPEECH = ("4-5 音声処理",)
WINDOWS = ("rectangular", "hann", "hamming")
WINDOW_LABELS = {"rectangular": "矩形窓", "hann": "ハン窓", "hamming": "ハミング窓"}


def _integers(demo_id: str, name: str, values: list[float]) -> list[int]:
    if any(v != int(v) for v in values):
        raise ParameterError(f"In demo {demo_id} every element of {name} must be an integer.")
    return [int(v) for v in values]


# --- sampling -----------------------------------------------------------------------------


@demo(
    "speech-aliasing",
    title="サンプリング定理とエイリアシング",
    description=(
        "周波数 f の正弦波を f_s でサンプリングし、DFT のピークがどの周波数に現れるかを見る。"
        "f がナイキスト周波数 f_s/2 を超えると、低い周波数に折り返して（エイリアス）見える。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        FloatParam("freq", 7000.0, min=1.0, max=100000.0, help="正弦波の周波数 (Hz)"),
        FloatParam("fs", 10000.0, min=100.0, max=100000.0, help="サンプリング周波数 (Hz)"),
        IntParam("n", 500, min=16, max=1024, help="サンプル数"),
    ),
)
def speech_aliasing(freq: float, fs: float, n: int) -> DemoResult:
    x = audio.sine(freq, fs, n)
    spectrum = np.abs(audio.dft(x))[: n // 2 + 1]
    freqs = audio.bin_frequencies(n, fs)
    peak = float(freqs[int(np.argmax(spectrum))])
    nyquist = audio.nyquist_frequency(fs)
    alias = audio.alias_frequency(freq, fs)
    # A sine of the alias frequency (with the sign that fits) gives the very same samples.
    candidate = audio.sine(alias, fs, n)
    same = bool(min(np.abs(x - candidate).max(), np.abs(x + candidate).max()) < 1e-6)
    aliased = freq > nyquist
    narrative = "\n".join(
        [
            f"{freq:g} Hz の正弦波を $f_s = {fs:g}$ Hz で {n} 点サンプリングした。"
            f"ナイキスト周波数は $f_s / 2 = {nyquist:g}$ Hz。",
            "",
            f"DFT の振幅スペクトルのピークは **{peak:g} Hz**（周波数分解能 $f_s / N = {fs / n:g}$ Hz）。",
            (
                f"{freq:g} Hz はナイキスト周波数を超えているので、$|f - f_s \\cdot \\mathrm{{round}}(f / f_s)|"
                f" = {alias:g}$ Hz に折り返して見える（エイリアシング）。実際、{alias:g} Hz の正弦波と"
                f"サンプル値が{'一致する' if same else '一致しない'}ので、サンプルからは区別できない。"
                if aliased
                else f"{freq:g} Hz はナイキスト周波数以下なので、そのままの周波数で正しく表現される。"
            ),
            "",
            "サンプリング定理：元の信号に含まれる最高周波数の 2 倍より高い周波数でサンプリングすれば、"
            "信号を完全に復元できる。そのため録音の前にローパスフィルタで $f_s / 2$ 以上を落とす。",
        ]
    )
    plot = Plot(
        kind="line",
        title="振幅スペクトル",
        x=freqs.tolist(),
        series={"|X(f)|": spectrum.tolist()},
        x_label="Hz",
    )
    return DemoResult(
        values={
            "nyquist": nyquist,
            "peak_frequency": peak,
            "alias_frequency": alias,
            "aliased": aliased,
            "same_samples_as_alias": same,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- STFT and windows ---------------------------------------------------------------------


@demo(
    "speech-stft",
    title="短時間フーリエ変換（STFT）とスペクトログラム",
    description=(
        "前半 f1、後半 f2 の正弦波をフレームに切って窓を掛け、フレームごとに DFT する。"
        "フレーム数・周波数ビン数・時間と周波数の分解能を確かめる。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        FloatParam("f1", 500.0, min=1.0, max=20000.0, help="前半の周波数 (Hz)"),
        FloatParam("f2", 1500.0, min=1.0, max=20000.0, help="後半の周波数 (Hz)"),
        FloatParam("fs", 8000.0, min=100.0, max=48000.0, help="サンプリング周波数 (Hz)"),
        IntParam("n_samples", 8000, min=64, max=48000, help="信号の長さ（サンプル）"),
        IntParam("frame_length", 256, min=8, max=4096, help="フレーム長（= DFT 点数）"),
        IntParam("hop", 128, min=1, max=4096, help="フレームのずらし幅（ホップ長）"),
        ChoiceParam("window", "hann", choices=WINDOWS, help="窓関数"),
    ),
)
def speech_stft(f1, f2, fs, n_samples, frame_length, hop, window) -> DemoResult:
    if frame_length > n_samples:
        raise ParameterError("In demo speech-stft frame_length must not exceed n_samples.")
    half = n_samples // 2
    x = np.concatenate(
        [
            audio.sine(f1, fs, half),
            audio.sine(f2, fs, n_samples - half, phase=2 * np.pi * f1 * half / fs),
        ]
    )
    spectrogram = np.abs(audio.stft(x, frame_length, hop, window))
    freqs = audio.bin_frequencies(frame_length, fs)
    peaks = freqs[np.argmax(spectrogram, axis=1)]
    frames, bins = spectrogram.shape
    narrative = "\n".join(
        [
            f"{n_samples} サンプル（{n_samples / fs:g} 秒）の信号を、長さ {frame_length}・ホップ {hop} の"
            f"フレームに切り、{WINDOW_LABELS[window]}を掛けて DFT した。",
            "",
            f"- フレーム数 $1 + \\lfloor (L - N) / \\mathrm{{hop}} \\rfloor = 1 + \\lfloor ({n_samples} - {frame_length})"
            f" / {hop} \\rfloor$ = **{frames}**",
            f"- 周波数ビン数 $N / 2 + 1$ = **{bins}**（実信号のスペクトルは対称なので半分で足りる）",
            f"- 周波数分解能 $f_s / N = {fs / frame_length:g}$ Hz、時間の刻み $\\mathrm{{hop}} / f_s"
            f" = {1000 * hop / fs:g}$ ms",
            f"- 最初のフレームのピーク {peaks[0]:g} Hz、最後のフレームのピーク {peaks[-1]:g} Hz",
            "",
            "フレームを長くすると周波数分解能は上がるが、時間分解能は下がる（トレードオフ）。"
            "信号全体を 1 回 DFT すると、どの時刻にどの周波数があったかは分からない。",
        ]
    )
    step = max(1, frames // 60)
    plot = Plot(
        kind="heatmap",
        title="スペクトログラム（対数振幅、縦: 周波数ビン、横: フレーム）",
        z=np.log10(spectrogram[::step].T[::-1] + 1e-6).tolist(),
    )
    return DemoResult(
        values={
            "n_frames": frames,
            "n_bins": bins,
            "freq_resolution": fs / frame_length,
            "hop_ms": 1000 * hop / fs,
            "first_peak": float(peaks[0]),
            "last_peak": float(peaks[-1]),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "speech-window",
    title="窓関数とスペクトル漏れ",
    description=(
        "フレームにちょうど収まらない周波数の正弦波を、矩形窓・ハン窓・ハミング窓で切り出して DFT し、"
        "本来の周波数から離れたビンへ漏れたエネルギーの割合を比べる。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        IntParam("N", 64, min=8, max=4096, help="フレーム長"),
        FloatParam("fs", 8000.0, min=100.0, max=48000.0, help="サンプリング周波数 (Hz)"),
        FloatParam("freq", 1062.5, min=1.0, max=24000.0, help="正弦波の周波数 (Hz)"),
        FloatParam(
            "half_width_bins",
            3.0,
            min=0.5,
            max=50.0,
            help="「本来の周波数の近く」とみなす幅（ビン）",
        ),
    ),
)
def speech_window(N: int, fs: float, freq: float, half_width_bins: float) -> DemoResult:
    if freq >= fs / 2:
        raise ParameterError(
            "In demo speech-window freq must be below the Nyquist frequency fs / 2."
        )
    x = audio.sine(freq, fs, N)
    resolution = fs / N
    leak = {
        name: audio.leakage(x, name, fs, freq, half_width_bins * resolution) for name in WINDOWS
    }
    ends = {name: float(audio.window(name, N)[0]) for name in WINDOWS}
    cycles = freq * N / fs
    narrative = "\n".join(
        [
            f"{freq:g} Hz の正弦波を {N} 点（$f_s = {fs:g}$ Hz）切り出すと、フレームに {cycles:g} 周期入る。"
            + (
                "整数でないので、フレームの両端で波形が不連続につながる。"
                if cycles != int(cycles)
                else ""
            ),
            "",
            *[
                f"- {WINDOW_LABELS[name]}（両端の値 {ends[name]:g}）：±{half_width_bins:g} ビンの外へ漏れたエネルギー"
                f" **{100 * leak[name]:.3g}%**"
                for name in WINDOWS
            ],
            "",
            "DFT はフレームが周期的に繰り返すとみなすので、端の不連続が広い周波数に漏れる（スペクトル漏れ）。"
            "ハン窓・ハミング窓は端を 0 付近まで絞って漏れを抑える代わりに、ピークの幅（メインローブ）が広がる。",
        ]
    )
    plot = Plot(
        kind="line",
        title="窓関数",
        x=list(range(N)),
        series={WINDOW_LABELS[name]: audio.window(name, N).tolist() for name in WINDOWS},
    )
    return DemoResult(
        values={
            "leakage_rectangular": leak["rectangular"],
            "leakage_hann": leak["hann"],
            "leakage_hamming": leak["hamming"],
            "end_rectangular": ends["rectangular"],
            "end_hann": ends["hann"],
            "end_hamming": ends["hamming"],
            "cycles_per_frame": cycles,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- the mel scale and MFCC ---------------------------------------------------------------


@demo(
    "speech-mel",
    title="メル尺度とメルフィルタバンク",
    description=(
        "周波数をメル尺度 mel = 2595 log₁₀(1 + f/700) に変換し、メル尺度で等間隔に並べた"
        "三角フィルタの中心周波数と帯域幅を見る。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        FloatParam("f", 1000.0, min=0.0, max=48000.0, help="変換する周波数 (Hz)"),
        IntParam("n_mels", 10, min=1, max=128, help="メルフィルタの数"),
        FloatParam("fs", 16000.0, min=1000.0, max=48000.0, help="サンプリング周波数 (Hz)"),
        IntParam("n_fft", 512, min=16, max=4096, help="DFT 点数"),
    ),
)
def speech_mel(f: float, n_mels: int, fs: float, n_fft: int) -> DemoResult:
    mel = float(audio.hz_to_mel(f))
    back = float(audio.mel_to_hz(mel))
    edges = audio.mel_to_hz(np.linspace(0.0, audio.hz_to_mel(fs / 2), n_mels + 2))
    centres = edges[1:-1]
    widths = edges[2:] - edges[:-2]
    bank = audio.mel_filterbank(n_mels, n_fft, fs)
    narrative = "\n".join(
        [
            f"$\\mathrm{{mel}}({f:g}) = 2595 \\log_{{10}}(1 + {f:g} / 700) = {mel:.4f}$"
            f"（逆変換で {back:.6g} Hz に戻る）。",
            "",
            "メル尺度は人の音の高さの感じ方に合わせた尺度で、1000 Hz がほぼ 1000 mel になるように作られている。"
            "低い周波数ではほぼ線形、高い周波数では対数的に目盛りが詰まる。",
            "",
            f"0〜{fs / 2:g} Hz をメル尺度で等間隔に {n_mels} 個の三角フィルタに分けると、中心周波数は "
            + ", ".join(f"{c:.0f}" for c in centres)
            + f" Hz。帯域幅は {widths[0]:.0f} Hz から {widths[-1]:.0f} Hz へ広がる：低い周波数ほど細かく見る。",
        ]
    )
    freqs = audio.bin_frequencies(n_fft, fs)
    plot = Plot(
        kind="line",
        title="メルフィルタバンク",
        x=freqs.tolist(),
        series={f"filter {m}": bank[m].tolist() for m in range(min(n_mels, 12))},
        x_label="Hz",
    )
    return DemoResult(
        values={
            "mel": mel,
            "hz_back": back,
            "centres": centres.tolist(),
            "bandwidths": widths.tolist(),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "speech-mfcc",
    title="MFCC の計算手順",
    description=(
        "倍音を持つ合成音声から MFCC を計算し、プリエンファシス → フレーム分割と窓 → パワースペクトル → "
        "メルフィルタバンク → 対数 → DCT の各段階の形を示す。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        FloatParam("fs", 16000.0, min=1000.0, max=48000.0, help="サンプリング周波数 (Hz)"),
        FloatParam("duration", 1.0, min=0.05, max=3.0, help="長さ (秒)"),
        FloatParam("frame_ms", 25.0, min=5.0, max=100.0, help="フレーム長 (ms)"),
        FloatParam("hop_ms", 10.0, min=1.0, max=100.0, help="ホップ長 (ms)"),
        IntParam("n_fft", 512, min=16, max=4096, help="DFT 点数"),
        IntParam("n_mels", 40, min=2, max=128, help="メルフィルタの数"),
        IntParam("n_mfcc", 13, min=1, max=128, help="残すケプストラム係数の数"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード（雑音）"),
    ),
)
def speech_mfcc(fs, duration, frame_ms, hop_ms, n_fft, n_mels, n_mfcc, seed) -> DemoResult:
    frame_length = round(fs * frame_ms / 1000)
    hop = round(fs * hop_ms / 1000)
    n_samples = round(fs * duration)
    if frame_length > n_fft:
        raise ParameterError(
            f"In demo speech-mfcc the frame ({frame_length} samples) must not exceed n_fft ({n_fft})."
        )
    if frame_length > n_samples:
        raise ParameterError("In demo speech-mfcc the signal is shorter than one frame.")
    if n_mfcc > n_mels:
        raise ParameterError("In demo speech-mfcc n_mfcc must not exceed n_mels.")
    rng = np.random.default_rng(seed)
    # A vowel-like sound: a 120 Hz fundamental with decaying harmonics, plus a little noise.
    x = sum(audio.sine(120.0 * h, fs, n_samples) / h for h in range(1, 20) if 120.0 * h < fs / 2)
    x = x + 0.01 * rng.standard_normal(n_samples)
    steps = audio.mfcc(x, fs, frame_length, hop, n_fft, n_mels, n_mfcc)
    narrative = "\n".join(
        [
            f"{duration:g} 秒・$f_s = {fs:g}$ Hz の合成音声（{n_samples} サンプル）から MFCC を計算した。",
            "",
            f"1. プリエンファシス $y[n] = x[n] - 0.97\\,x[n-1]$ で高域を強調 → ({len(steps.emphasized)},)",
            f"2. {frame_ms:g} ms（{frame_length} サンプル）のフレームに {hop_ms:g} ms ずつずらして切り、"
            f"ハミング窓を掛ける → {steps.frames.shape}",
            f"3. {n_fft} 点 DFT のパワースペクトル → {steps.power.shape}",
            f"4. メルフィルタバンク {n_mels} 本でまとめる → {steps.mel_energies.shape}",
            f"5. 対数をとる（音の大きさの感じ方に合わせる）→ {steps.log_mel.shape}",
            f"6. DCT で無相関化し、低次の {n_mfcc} 個だけ残す（スペクトル包絡）→ **{steps.mfcc.shape}**",
        ]
    )
    plot = Plot(
        kind="heatmap",
        title="MFCC（縦: 係数、横: フレーム）",
        z=steps.mfcc[:: max(1, len(steps.mfcc) // 60)].T.tolist(),
    )
    return DemoResult(
        values={
            "n_samples": n_samples,
            "frame_length": frame_length,
            "hop": hop,
            "frames_shape": list(steps.frames.shape),
            "power_shape": list(steps.power.shape),
            "mel_shape": list(steps.mel_energies.shape),
            "mfcc_shape": list(steps.mfcc.shape),
        },
        narrative=narrative,
        plots=[plot],
    )


# --- WaveNet ------------------------------------------------------------------------------


@demo(
    "speech-wavenet-receptive-field",
    title="WaveNet：Dilated Causal Convolution の受容野",
    description=(
        "カーネルサイズ K の因果的畳み込みを、ダイレーションを変えながら積み重ね、"
        "インパルスを通して 1 つの出力が何サンプル前まで見ているか（受容野）を測る。"
    ),
    syllabus=(*SYLLABUS_SPEECH, "4-6 生成モデル"),
    params=(
        IntParam("K", 2, min=1, max=8, help="カーネルサイズ"),
        ListParam(
            "dilations",
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
            min=1,
            max=1024,
            max_length=16,
            help="各層のダイレーション",
        ),
        IntParam("stacks", 1, min=1, max=4, help="ダイレーションの並びを繰り返す回数"),
    ),
)
def speech_wavenet_receptive_field(K: int, dilations: list[float], stacks: int) -> DemoResult:
    rates = _integers("speech-wavenet-receptive-field", "dilations", dilations) * stacks
    formula = audio.receptive_field(K, rates)
    length = formula + 64
    impulse = np.zeros(length)
    start = 32
    impulse[start] = 1.0
    response = audio.causal_stack(impulse, K, rates)
    reached = np.nonzero(response)[0]
    measured = int(reached.max() - reached.min() + 1)
    causal = bool(reached.min() >= start)  # nothing before the impulse reacts to it
    plain = audio.receptive_field(K, [1] * len(rates))
    narrative = "\n".join(
        [
            f"カーネルサイズ {K}、ダイレーション {rates[: len(dilations)]}"
            + (f" を {stacks} 回繰り返す" if stacks > 1 else "")
            + f"（{len(rates)} 層）。",
            "",
            f"時刻 {start} のインパルスが影響する出力は時刻 {reached.min()}〜{reached.max()} の "
            f"**{measured} サンプル**。つまり 1 つの出力は過去 {measured} サンプル（自分を含む）を見ている。"
            f"式では $1 + \\sum_l (K - 1) d_l = {formula}$。",
            "",
            f"インパルスより前の出力は 0（因果的：未来の入力を見ない）: {'はい' if causal else 'いいえ'}。",
            "",
            f"ダイレーションなし（すべて d = 1）で同じ {len(rates)} 層を積むと、受容野は {plain} しかない。"
            "ダイレーションを層ごとに 2 倍にすると、層数に対して受容野が指数的に広がる。",
        ]
    )
    return DemoResult(
        values={
            "receptive_field": measured,
            "formula": formula,
            "layers": len(rates),
            "undilated_receptive_field": plain,
            "causal": causal,
        },
        narrative=narrative,
    )


# --- CTC ----------------------------------------------------------------------------------


def symbols_to_text(path: list[int]) -> str:
    """0 is the blank "-", 1 … 26 are the letters a … z."""
    return "".join("-" if s == 0 else chr(ord("a") + s - 1) for s in path)


@demo(
    "speech-ctc-collapse",
    title="CTC：パスからラベル列への縮約",
    description=(
        "フレームごとの出力（パス）を、連続する同じ記号をまとめてからブランクを取り除いて"
        "ラベル列に縮約する。記号は 0 = ブランク「-」、1 = a、2 = b、…。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        ListParam(
            "path",
            [1, 1, 0, 2, 2, 0, 2, 3],
            min=0,
            max=26,
            max_length=64,
            help="フレームごとの記号（0 はブランク）",
        ),
    ),
)
def speech_ctc_collapse(path: list[float]) -> DemoResult:
    symbols = _integers("speech-ctc-collapse", "path", path)
    merged = audio.ctc_merge_repeats(symbols)
    collapsed = audio.ctc_collapse(symbols)
    naive = [s for s in symbols if s != 0]
    narrative = "\n".join(
        [
            f"パス `{symbols_to_text(symbols)}`（{len(symbols)} フレーム）",
            "",
            f"1. 連続する同じ記号をまとめる → `{symbols_to_text(merged)}`",
            f"2. ブランク `-` を取り除く → **`{symbols_to_text(collapsed)}`**",
            "",
            f"順番が大事：先にブランクを消すと `{symbols_to_text(naive)}` になり、"
            "まとめる対象が変わってしまう。ブランクは、同じ文字が続くラベル（例えば「ll」）を表すために必要。",
        ]
    )
    return DemoResult(
        values={
            "merged": merged,
            "collapsed": collapsed,
            "text": symbols_to_text(collapsed),
            "merged_text": symbols_to_text(merged),
        },
        narrative=narrative,
    )


@demo(
    "speech-ctc-alignments",
    title="CTC：ラベル列に縮約されるパスの数",
    description=(
        "長さ T のパスのうち、縮約すると指定のラベル列になるものの数を、CTC の前向きアルゴリズム"
        "（すべての確率を 1 にしたもの）で数え、小さな場合は総当たりでも確かめる。"
    ),
    syllabus=SYLLABUS_SPEECH,
    params=(
        ListParam(
            "label", [1, 2], min=1, max=26, max_length=16, help="ラベル列（1 = a, 2 = b, …）"
        ),
        IntParam("T", 3, min=1, max=50, help="フレーム数"),
    ),
)
def speech_ctc_alignments(label: list[float], T: int) -> DemoResult:
    symbols = _integers("speech-ctc-alignments", "label", label)
    minimum = audio.ctc_min_frames(symbols)
    count = audio.ctc_count_alignments(symbols, T)
    alphabet = sorted({0, *symbols})
    brute = None
    if len(alphabet) ** T <= 200_000:
        brute = sum(
            1
            for path in itertools.product(alphabet, repeat=T)
            if audio.ctc_collapse(path) == symbols
        )
    examples = (
        [
            symbols_to_text(list(p))
            for p in itertools.islice(
                (
                    p
                    for p in itertools.product(alphabet, repeat=T)
                    if audio.ctc_collapse(p) == symbols
                ),
                8,
            )
        ]
        if len(alphabet) ** T <= 200_000
        else []
    )
    uniform = audio.ctc_forward(
        np.full((T, len(alphabet)), 1 / len(alphabet)), [alphabet.index(s) for s in symbols]
    )
    narrative = "\n".join(
        [
            f"ラベル `{symbols_to_text(symbols)}` を {T} フレームで出力するパスを数える。"
            f"最低 {minimum} フレーム必要（同じ文字が続く所にはブランクが 1 つ要る）。",
            "",
            f"前向きアルゴリズムで数えると **{count} 通り**"
            + (f"（総当たりでも {brute} 通り）" if brute is not None else "")
            + "。"
            + (" 例: " + ", ".join(f"`{e}`" for e in examples) if examples else ""),
            "",
            "CTC はこれらすべてのパスの確率の和 $p(l \\mid x) = \\sum_{\\pi \\in B^{-1}(l)} \\prod_t y_{\\pi_t}^t$"
            " を最大化する。パスの数は T とともに急増するが、前向きアルゴリズムなら動的計画法で効率よく計算できる。",
        ]
    )
    return DemoResult(
        values={
            "n_alignments": count,
            "brute_force": brute,
            "min_frames": minimum,
            "uniform_probability": uniform,
        },
        narrative=narrative,
    )
