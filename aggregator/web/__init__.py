"""The HTTP face for subscribers: Starlette app with the feeds, OPML, the dashboard,
/healthz and /metrics; rendered documents cached (bounded) and sent with validators.

Interface: `app.create_app`, `app.AppState`.
"""
