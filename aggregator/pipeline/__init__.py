"""One refresh of one source: the only place that combines the HTTP edge, the workers
and the store, through the narrow ports of `ports` (Getter, Parsing, the store's
memory, Policy).

Interface: `refresh.refresh_source`/`refresh_all`/`sync_campaigns`, `check.check_all`
(`sources check`), `targets` (configured or discovered targets), `decide` (the pure
decisions: skip, backoff, Retry-After, needs-detail, keep-paging).
"""
