"""Entry in, Item out: canonical links, clean text, sanitised HTML, Berlin dates and
the stable key. Pure.

Interface: `entries.normalize_entry`, `entries.canonical_url`, `entries.clean_text`.
"""
