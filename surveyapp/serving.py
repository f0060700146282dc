"""gunicorn's threaded worker, with each request's headers read by its event loop.

gunicorn's ``gthread`` worker hands a connection to a thread as soon as its first
bytes arrive; the thread then blocks until the headers end. A client that sends one
header line every few seconds (slowloris) holds a thread for minutes, and
workers x threads such clients make the server unavailable. This worker reads the
headers in the worker's selector loop, without a thread, and gives the connection
to a thread only once its headers are complete (or too large, for gunicorn's parser
to refuse). A connection whose headers are not complete after HEADER_TIMEOUT is
closed. Request bodies are still read by the thread (bounded by
``SURVEYAPP_MAX_CONTENT_LENGTH``); nginx in front buffers those too
(docs/deployment.md).
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

#: Seconds a client gets to send its request line and headers (nginx's default is 60).
HEADER_TIMEOUT = 30.0
_HEADERS_END = b"\r\n\r\n"
_CHUNK = 65536


class HeaderBufferingWorker(ThreadWorker):
    """``gthread``, but no thread waits for a request's headers."""

    def _header_limit(self) -> int:
        cfg = self.cfg
        return int(cfg.limit_request_line + cfg.limit_request_fields * cfg.limit_request_field_size)

    def accept(self, listener: socket.socket) -> None:
        """Accept a connection and wait, in the event loop, for its headers."""
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())
        if self.cfg.is_ssl:
            self.enqueue_req(conn)  # TLS is nginx's job here; keep gunicorn's own path
            return
        self._wait_for_headers(conn)

    def on_client_socket_readable(self, conn: TConn, client: socket.socket) -> None:
        """A kept-alive connection sends its next request: wait for its headers too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._wait_for_headers(conn)

    def _wait_for_headers(self, conn: TConn) -> None:
        conn.sock.setblocking(False)
        # pending_conns are closed by the run loop once their timeout passes.
        conn.timeout = time.monotonic() + HEADER_TIMEOUT
        self.pending_conns.append(conn)
        received = bytearray()
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self._on_header_bytes, conn, received)
        )

    def _on_header_bytes(self, conn: TConn, received: bytearray, _sock: Any) -> None:
        try:
            data = conn.sock.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            received += data
            start = max(0, len(received) - len(data) - len(_HEADERS_END))
            if received.find(_HEADERS_END, start) < 0 and len(received) <= self._header_limit():
                return
        self.poller.unregister(conn.sock)
        self.pending_conns.remove(conn)
        if not data:  # the client went away before its headers ended
            self.nr_conns -= 1
            conn.close()
            return
        conn.init()
        conn.parser.unreader.unread(bytes(received))
        conn.data_ready = True
        self.enqueue_req(conn)
