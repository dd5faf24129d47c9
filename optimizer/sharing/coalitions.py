"""Coalitions as bitmasks, and vectorised sums over all 2^n of them.

Player ``i`` (0-based, in the game's player order) is bit ``i`` of a coalition's mask, so the
coalition ``{0, 2}`` is mask ``0b101 = 5``, the empty coalition is 0 and the grand coalition is
``2**n - 1``. A characteristic function is a numpy array of length ``2**n`` indexed by mask.

Every function here touches each of the 2^n entries a constant number of times, in numpy:
for n = 20 an array of all coalition sums costs a few milliseconds.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

#: largest number of players for which the 2^n values are held in memory (32 MB per float array)
MAX_PLAYERS = 22


def subset_sums(a: np.ndarray) -> np.ndarray:
    """``out[S] = sum(a[i] for i in S)`` for every mask S (length ``2**len(a)``, dtype of ``a``).

    Built by doubling: the masks ``[2^i, 2^(i+1))`` are those of ``[0, 2^i)`` with bit i added.
    """
    a = np.asarray(a)
    n = len(a)
    out = np.zeros(1 << n, dtype=a.dtype)
    for i in range(n):
        half = 1 << i
        np.add(out[:half], a[i], out=out[half : 2 * half])
    return out


def subset_max(a: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """``out[S] = max(a[i] for i in S)`` for every mask S, ``empty`` for the empty coalition."""
    a = np.asarray(a, dtype=float)
    n = len(a)
    out = np.full(1 << n, empty, dtype=float)
    for i in range(n):
        half = 1 << i
        np.maximum(out[:half], a[i], out=out[half : 2 * half])
    out[0] = empty
    return out


def popcounts(n: int) -> np.ndarray:
    """Coalition sizes ``|S|`` for every mask (uint8, length ``2**n``)."""
    return subset_sums(np.ones(n, dtype=np.uint8))


def members(mask: int, n: int) -> list[int]:
    """Player indices in ``mask``, ascending."""
    return [i for i in range(n) if (mask >> i) & 1]


def mask_of(indices: Iterable[int]) -> int:
    """The mask of a collection of player indices."""
    m = 0
    for i in indices:
        m |= 1 << i
    return m


def indicator(mask: int, n: int) -> np.ndarray:
    """Characteristic vector ``1_S`` of ``mask`` as a float array of length n."""
    return np.array([(mask >> i) & 1 for i in range(n)], dtype=float)


def marginal_pairs(values: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """``(v[S], v[S | {i}])`` for every mask S without player i, as two aligned views.

    The masks without bit i are the rows ``[:, 0, :]`` of ``values`` reshaped to
    ``(-1, 2, 2**i)``; adding bit i moves to ``[:, 1, :]``.
    """
    blocks = values.reshape(-1, 2, 1 << i)
    return blocks[:, 0, :], blocks[:, 1, :]
