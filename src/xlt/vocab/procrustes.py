"""Orthogonal Procrustes alignment of two embedding spaces (Schönemann 1966;
used for bilingual embeddings by Xing et al. 2015 and Conneau et al. 2018)."""

from __future__ import annotations

import numpy as np

from xlt.errors import XltError


def orthogonal_procrustes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The orthogonal W minimising ‖x W − y‖_F (rows of x and y are translation pairs)."""
    if x.shape != y.shape:
        raise XltError(f"Procrustes needs paired rows of equal shape, got {x.shape} and {y.shape}")
    if x.shape[0] < 2:
        raise XltError(f"Procrustes needs at least 2 dictionary pairs, got {x.shape[0]}")
    u, _, vt = np.linalg.svd(x.T @ y)
    return (u @ vt).astype(np.float32)
