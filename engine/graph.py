"""Graph convolution (Kipf & Welling 2017, GCN).

A graph of n nodes is its adjacency matrix A (n × n, symmetric, A_ij = 1 for an edge).
One GCN layer mixes each node's features with its neighbours', weighted by degree:

    Â = D̃^(−1/2) (A + I) D̃^(−1/2),   D̃_ii = Σ_j (A + I)_ij
    H' = σ(Â H W)
"""

from __future__ import annotations

import numpy as np

from engine import functions


def normalized_adjacency(A, self_loops: bool = True) -> np.ndarray:
    """Â = D̃^(−1/2) Ã D̃^(−1/2) with Ã = A + I (or A itself without self-loops).

    Â_ij = Ã_ij / √(d̃_i d̃_j): a node's own feature is kept (the self-loop) and a
    neighbour of high degree contributes less. A node of degree 0 without self-loops gets
    an all-zero row instead of a division by zero.
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"the adjacency matrix must be square, got shape {A.shape}")
    A_tilde = A + np.eye(A.shape[0]) if self_loops else A
    degree = A_tilde.sum(axis=1)
    inv_sqrt = np.divide(1.0, np.sqrt(degree), out=np.zeros_like(degree), where=degree > 0)
    return inv_sqrt[:, None] * A_tilde * inv_sqrt[None, :]


class GraphConvolution:
    """One GCN layer without activation: Y = Â · H · W (+ b).

    backward: ∂L/∂W = (Â H)ᵀ ∂L/∂Y,  ∂L/∂b = Σ_nodes ∂L/∂Y,  ∂L/∂H = Âᵀ ∂L/∂Y Wᵀ.
    """

    def __init__(self, W, b=None):
        self.W = W
        self.b = np.zeros(W.shape[1]) if b is None else b
        self.A_hat = None
        self.AH = None
        self.dW = None
        self.db = None

    def forward(self, A_hat, H):
        self.A_hat = np.asarray(A_hat, dtype=np.float64)
        self.AH = self.A_hat @ np.asarray(H, dtype=np.float64)  # aggregate the neighbours
        return self.AH @ self.W + self.b  # then transform every node with the same W

    def backward(self, dout):
        self.dW = self.AH.T @ dout
        self.db = dout.sum(axis=0)
        return self.A_hat.T @ dout @ self.W.T


def gcn_layer(A, H, W, activation: str | None = "relu", self_loops: bool = True) -> np.ndarray:
    """H' = σ(Â H W) with Â from ``normalized_adjacency``; activation "relu" or None."""
    out = GraphConvolution(np.asarray(W, dtype=np.float64)).forward(
        normalized_adjacency(A, self_loops), H
    )
    if activation is None:
        return out
    if activation == "relu":
        return functions.relu(out)
    raise ValueError(f"activation must be 'relu' or None, not {activation!r}")
