"""im2col and col2im: convolution and pooling as matrix products over sliding windows.

A window is the FH × FW patch of the (padded) input that one output pixel reads. With stride S
and padding P an input of height H gives

    OH = ⌊(H + 2P − FH) / S⌋ + 1        (and the same for the width),

windows that do not fit in the padded input are dropped, as in PyTorch.

``sliding_windows`` exposes every window as a strided *view* of the padded input, with no
copy. ``im2col`` lays the windows out as the columns of one matrix, so a convolution is a
matrix product; ``add_windows`` and ``col2im`` run that in reverse for backprop: each window's
gradient is added back onto the input pixels it was read from (windows overlap, so the sums
accumulate). For pooling, ``window_sum`` and ``window_max`` reduce every window, and
``add_at_window_offsets`` sends max pooling's gradient back to each window's maximum.

Loops run over the FH·FW offsets inside a window, never over images or pixels: each step
moves a whole (N, C, OH, OW) slab at once. For windows that tile the input (stride = window
size) the offset views are exactly the slices [:, :, :, i, :, j] of
x.reshape(N, C, OH, FH, OW, FW), but NumPy reduces over them far faster than over the tiny
axes of the reshaped array (2×2 max pooling of (100, 30, 24, 24): about 3 ms against 40 ms).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """(value, value) for one int; a (height, width) pair stays as it is."""
    if isinstance(value, tuple | list):
        height, width = value
        return int(height), int(width)
    return int(value), int(value)


def output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """OH = ⌊(H + 2P − FH) / S⌋ + 1, the number of whole windows along one axis."""
    out = (input_size + 2 * pad - filter_size) // stride + 1
    if out < 1:
        raise ValueError(
            f"a window of {filter_size} does not fit in an input of {input_size} with padding {pad}"
        )
    return out


def sliding_windows(x, filter_h, filter_w, stride=1, pad=0, pad_value=0.0) -> np.ndarray:
    """Every window of x (N, C, H, W) as a read-only view of shape (N, C, FH, FW, OH, OW).

    view[n, c, i, j, oh, ow] = x_pad[n, c, oh·S + i, ow·S + j], where x_pad is x surrounded
    by P cells of ``pad_value`` (0 for convolution and average pooling, −∞ for max pooling,
    so that padding never wins a max).
    """
    stride_h, stride_w = pair(stride)
    pad_h, pad_w = pair(pad)
    x = np.asarray(x)
    if pad_h or pad_w:
        widths = ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w))
        x = np.pad(x, widths, constant_values=pad_value)
    windows = sliding_window_view(x, (filter_h, filter_w), axis=(2, 3))[
        :, :, ::stride_h, ::stride_w
    ]
    return windows.transpose(0, 1, 4, 5, 2, 3)


def add_windows(dwindows, input_shape, stride=1, pad=0) -> np.ndarray:
    """The adjoint of ``sliding_windows``: dx[n, c, h, w] = Σ of dwindows over every window
    position (i, j, oh, ow) that reads pixel (h, w); padding cells are dropped at the end.

    ``dwindows`` has the view's shape (N, C, FH, FW, OH, OW); it may itself be a broadcast view.
    """
    stride_h, stride_w = pair(stride)
    pad_h, pad_w = pair(pad)
    n, c, height, width = input_shape
    _, _, filter_h, filter_w, out_h, out_w = dwindows.shape
    dx_padded = np.zeros((n, c, height + 2 * pad_h, width + 2 * pad_w), dtype=dwindows.dtype)
    for i, j in np.ndindex(filter_h, filter_w):
        rows = slice(i, i + out_h * stride_h, stride_h)
        cols = slice(j, j + out_w * stride_w, stride_w)
        dx_padded[:, :, rows, cols] += dwindows[:, :, i, j]
    return dx_padded[:, :, pad_h : pad_h + height, pad_w : pad_w + width]


def im2col(x, filter_h, filter_w, stride=1, pad=0) -> np.ndarray:
    """The windows of x (N, C, H, W) as the columns of a (C·FH·FW, N·OH·OW) matrix.

    Column (n, oh, ow) is the flattened window of output pixel (n, oh, ow), so a convolution
    is the matrix product W_col · col with W_col = W.reshape(FN, C·FH·FW). (The book's
    ``im2col`` returns the transpose, one row per output pixel; in this orientation the
    product's rows are the output channels, and backprop's ∂L/∂Y · colᵀ and W_colᵀ · ∂L/∂Y
    are single matrix products without a transposed copy of col.)
    """
    windows = sliding_windows(x, filter_h, filter_w, stride, pad)
    channels = windows.shape[1]
    return windows.transpose(1, 2, 3, 0, 4, 5).reshape(channels * filter_h * filter_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0) -> np.ndarray:
    """The adjoint of ``im2col``: adds every column back onto the pixels of its window."""
    n, c, height, width = input_shape
    stride_h, stride_w = pair(stride)
    pad_h, pad_w = pair(pad)
    out_h = output_size(height, filter_h, stride_h, pad_h)
    out_w = output_size(width, filter_w, stride_w, pad_w)
    # add_windows does not care which of the two leading axes is the batch; summing in col's
    # own (C, N) order reads col sequentially, and only the result is viewed back as NCHW.
    dwindows = col.reshape(c, filter_h, filter_w, n, out_h, out_w).transpose(0, 3, 1, 2, 4, 5)
    return add_windows(dwindows, (c, n, height, width), stride, pad).transpose(1, 0, 2, 3)


def window_sum(windows) -> np.ndarray:
    """Σ over each window of a (N, C, FH, FW, OH, OW) view: an (N, C, OH, OW) array."""
    offsets = list(np.ndindex(windows.shape[2:4]))
    total = windows[:, :, 0, 0].copy()
    for i, j in offsets[1:]:
        total += windows[:, :, i, j]
    return total


def window_max(windows) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of each window of a (N, C, FH, FW, OH, OW) view and where it is.

    Returns (max, arg_max), both (N, C, OH, OW); arg_max = i·FW + j is the first maximal
    offset in row-major order, the element ``argmax`` over the flattened window would pick.
    """
    offsets = list(np.ndindex(windows.shape[2:4]))
    maximum = windows[:, :, 0, 0].copy()
    arg_max = np.zeros(maximum.shape, dtype=np.min_scalar_type(len(offsets) - 1))
    for k, (i, j) in enumerate(offsets[1:], start=1):
        # Only a strictly greater value takes over, so a tie keeps the earlier offset. As k
        # exceeds every earlier offset, max(arg_max, k·[greater]) writes k exactly there.
        greater = windows[:, :, i, j] > maximum
        np.maximum(maximum, windows[:, :, i, j], out=maximum)
        np.maximum(arg_max, greater * arg_max.dtype.type(k), out=arg_max)
    return maximum, arg_max


def add_at_window_offsets(values, offsets, input_shape, filter_h, filter_w, stride=1, pad=0):
    """dx with values[n, c, oh, ow] added onto the one pixel that window (oh, ow) reads at
    offset offsets[n, c, oh, ow] = i·FW + j, and zero elsewhere.

    The same as ``add_windows`` of a one-hot dwindows, but it touches each value once: it
    finds each pixel's position in the flattened padded input and lets ``np.bincount`` sum
    the values that land on the same pixel (windows may overlap).
    """
    stride_h, stride_w = pair(stride)
    pad_h, pad_w = pair(pad)
    n, c, height, width = input_shape
    padded_h, padded_w = height + 2 * pad_h, width + 2 * pad_w
    _, _, out_h, out_w = values.shape
    # position = start of image plane (n, c) + start of window (oh, ow) + step to offset (i, j)
    plane_start = np.arange(n * c).reshape(n, c, 1, 1) * (padded_h * padded_w)
    window_row = np.arange(out_h).reshape(out_h, 1) * (stride_h * padded_w)
    window_start = window_row + np.arange(out_w) * stride_w
    offset_step = np.arange(filter_h).reshape(filter_h, 1) * padded_w + np.arange(filter_w)
    position = (plane_start + window_start) + offset_step.ravel()[offsets]
    dx_padded = np.bincount(
        position.ravel(), weights=values.ravel(), minlength=n * c * padded_h * padded_w
    ).astype(values.dtype, copy=False)
    dx_padded = dx_padded.reshape(n, c, padded_h, padded_w)
    return dx_padded[:, :, pad_h : pad_h + height, pad_w : pad_w + width]
