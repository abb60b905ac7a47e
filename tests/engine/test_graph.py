"""engine.graph: the normalised adjacency matrix and the GCN layer."""

from __future__ import annotations

import numpy as np
import pytest

from engine import graph
from engine.functions import numerical_gradient

STAR = np.array([[0, 1, 0, 0], [1, 0, 1, 1], [0, 1, 0, 0], [0, 1, 0, 0]], dtype=float)


def test_normalized_adjacency_entries():
    a_hat = graph.normalized_adjacency(STAR)
    degree = np.array([2, 4, 2, 2])
    expected = (STAR + np.eye(4)) / np.sqrt(np.outer(degree, degree))
    np.testing.assert_allclose(a_hat, expected, rtol=1e-14)
    np.testing.assert_allclose(a_hat, a_hat.T)


def test_isolated_node_without_self_loops_gets_a_zero_row():
    A = np.zeros((3, 3))
    A[0, 1] = A[1, 0] = 1
    a_hat = graph.normalized_adjacency(A, self_loops=False)
    np.testing.assert_array_equal(a_hat[2], 0)
    with pytest.raises(ValueError):
        graph.normalized_adjacency(np.ones((2, 3)))


def test_gcn_layer_output_of_the_star_graph():
    out = graph.gcn_layer(STAR, np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([[1.0]]))
    assert out[1, 0] == pytest.approx(0.25 * 2 + (1 + 3 + 4) / np.sqrt(8))
    negative = graph.gcn_layer(STAR, -np.ones((4, 1)), np.ones((1, 1)))
    np.testing.assert_array_equal(negative, 0)  # ReLU


def test_graph_convolution_backward_matches_numerical_gradients():
    rng = np.random.default_rng(0)
    a_hat = graph.normalized_adjacency(STAR)
    H, W, dout = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    layer = graph.GraphConvolution(W.copy())
    layer.forward(a_hat, H)
    dH = layer.backward(dout)

    def loss_w(w):
        return np.sum(graph.GraphConvolution(w).forward(a_hat, H) * dout)

    def loss_h(h):
        return np.sum(graph.GraphConvolution(W).forward(a_hat, h) * dout)

    np.testing.assert_allclose(layer.dW, numerical_gradient(loss_w, W.copy()), atol=1e-8)
    np.testing.assert_allclose(dH, numerical_gradient(loss_h, H.copy()), atol=1e-8)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0))
