"""What runs in the spawned worker processes: reading one document (feed, listing,
detail page) from bytes to Items. Import-light: no HTTP client, web server,
scheduler or store (a test enforces it).

Interface: `tasks` (read_feed_document, read_listing_page, read_detail_page), `pool.Offload`.
"""
