"""uvicorn's HTTP/1.1 protocol with a deadline for a request's headers.

uvicorn closes an idle kept-alive connection after its keep-alive timeout, but a new
connection that sends nothing, or its headers a byte at a time, stays open for ever: five
hundred of them held five hundred sockets and file descriptors. Each connection gets
HEADER_TIMEOUT seconds for the headers of each request, from when it opens or from the
end of the previous response.
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
# set to seconds: another deadline (tests wait less)
HEADER_TIMEOUT_VARIABLE = "AGGREGATOR_HEADER_TIMEOUT"


def header_timeout() -> float:
    chosen = os.environ.get(HEADER_TIMEOUT_VARIABLE, "")
    try:
        return float(chosen) if chosen else HEADER_TIMEOUT
    except ValueError:
        return HEADER_TIMEOUT


class HeaderDeadlineProtocol(H11Protocol):
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(header_timeout(), self._headers_late)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self.transport.close()  # no request under way: nothing is cut off

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
