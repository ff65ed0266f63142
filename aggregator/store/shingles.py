"""Shingle sets as the store keeps them: packed little-endian unsigned 64-bit numbers,
the form classify.dedupe compares in numpy; older stores may still hold hex text."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable


def _packed(values: Iterable[int] | bytes) -> array[int]:
    """Unsigned 64-bit numbers from ints or from their stored bytes."""
    numbers = array("Q", values)
    if sys.byteorder == "big":  # stored little-endian everywhere
        numbers.byteswap()
    return numbers


def encode(values: frozenset[int]) -> bytes | str:
    """Shingles as stored: packed little-endian unsigned 64-bit numbers; none as '' (the
    queries skip it).

    Every candidate of every new item is compared, so the packed form (read in one call)
    replaced hex text, which stores written before may still hold.
    """
    if not values:
        return ""
    return _packed(sorted(values)).tobytes()


def decode(stored: bytes | str | None) -> frozenset[int]:
    if not stored:
        return frozenset()
    if isinstance(stored, bytes):
        return frozenset(_packed(stored))
    return frozenset(int(v, 16) for v in stored.split())  # written before packing
