"""Parsers: bytes of a feed or a listing page in, Entries out. Pure."""


class ParseError(Exception):
    """The body is not something we can take items from."""
