"""The plain values every stage shares, importing nothing else of the project.

Interface: `model` (Entry, Item, StoredItem, FetchOutcome, FetchState, Timeouts, Land
codes), `kinds` (Status, Failure, FoundBy), `text` (folding, XML-safe text), `logs`
(JSON events), `lru` (a bounded cache). Modules are imported by name; this package
re-exports nothing, so that importing one of them loads no other.
"""
