"""SQLite, split by domain: `items`, `fetch_state`, `campaigns`, `groups`, `targets`,
`sources`, `queue` (detail pages still to read), `robots`, `digests` (what each e-mail
digest sent), `websub` (subscriptions), `schema` (migrations).

Interface: `database.Store`, the one object the rest of the program uses; it opens
the transactions and turns sqlite3's errors into StorageError (`failures`).
"""
