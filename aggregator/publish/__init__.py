"""What subscribers and coordinators read, rendered from values. Pure: it reads the
store through the FeedStore protocol and never writes.

Interface: `atom.render_feed` (FeedHead, EntryContext), `feeds` (feed specs, RFC 5005
paging, the static export), `opml.render_opml`, `dashboard` and `health` (view models).
"""
