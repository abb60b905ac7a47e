"""A small NumPy deep-learning engine, written the way the course and
『ゼロから作るDeep Learning』 write it: one class per layer, ``forward`` and ``backward`` side by
side, gradients as attributes, optimizers with ``update(params, grads)``.

It imports NumPy only. float32 in gives float32 out; float64 in gives float64 out.
"""
