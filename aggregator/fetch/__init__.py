"""The HTTP edge, and nothing else: a polite client (robots.txt, one request per host at a
time, size and time caps, conditional GET) whose failures are typed FetchErrors. It
knows nothing of the store; when to try again is pipeline.decide's business.

Interface: `client.Fetcher` (`get`), `client.Fetched`/`NotModified`, the FetchError
family in `client`, `slots.PrioritySlots`.
"""
