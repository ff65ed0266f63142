"""The HTTP face for subscribers: Starlette app with the feeds (Atom, JSON Feed, a page
for browsers), OPML, the dashboard, the press review and exports, /healthz and /metrics;
rendered documents cached (bounded) and sent with validators; `hub` is the WebSub hub.

Interface: `app.create_app`, `app.AppState`, `hub.Hub`.
"""
