"""Parsers: bytes of a feed or a listing page in, Entries out. Pure."""

from aggregator.errors import ParseError

__all__ = ["ParseError"]
