"""What subscribers and coordinators read, rendered from values. Pure: it reads the
store through small protocols (FeedStore, HealthStore) and never writes.

Interface: `atom.render_feed` (FeedHead, EntryContext) and `jsonfeed.render_json_feed`,
`feeds` (feed specs, RFC 5005 paging, the static export), `opml.render_opml`,
`dashboard` and `health` (view models), `exports` and `spreadsheets` (tables, CSV/XLSX),
`review` (the press review; `pdf` makes its PDF), `charts` (SVG map and timeline),
`periods` and `digests` (when an e-mail digest is due, and its message), `documents`
(what the digest and the review share).
"""
