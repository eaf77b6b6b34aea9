"""A small HTTP server on 127.0.0.1, served from a thread: what the scripted model server and the tests'
stand-ins (an OTLP receiver, an issuer's published keys) are built on."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalServer(ThreadingHTTPServer):
    # The default listen backlog (5) drops connections when 100 chats call the model at once.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A caller that went away mid-answer (a killed worker) is expected; anything else is reported.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that logs nothing and answers with one call."""

    disable_nagle_algorithm = True
    """An answer's headers and body are two writes: with Nagle's algorithm the body waited for the client's
    delayed acknowledgement of the headers, 40 ms added to every answer."""

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_in_thread(handler: type[BaseHTTPRequestHandler]) -> LocalServer:
    """Serve ``handler`` on a free port of 127.0.0.1 until ``stop()``."""
    server = LocalServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
