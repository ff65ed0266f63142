"""What an item is among the others. Pure.

Interface: `campaigns` (judge, matching, rules_digest: which campaign an item belongs
to, with the evidence), `dedupe` (shingles, MinHash bands and nearest: whose
near-duplicate group an item joins), `revise` (which version of an item seen again
is kept). The store applies these decisions; it makes none of its own.
"""
