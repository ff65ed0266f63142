"""Sockets on 127.0.0.1 that misbehave below HTTP: accept and never answer, or reset."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading


class RawServer:
    """`mode` is 'hang' (accept, read, say nothing) or 'reset' (accept, read, RST)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.accepted = 0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self._open: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}/feed.xml"

    def start(self) -> RawServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._socket.close()
        for connection in self._open:
            connection.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.settimeout(5)
            with contextlib.suppress(OSError):
                connection.recv(65536)
            if self.mode == "reset":
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
            else:
                self._open.append(connection)  # held open, never answered
