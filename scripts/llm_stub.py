"""An OpenAI-compatible chat-completions server on 127.0.0.1 that answers with scripted replies, so tests and
benchmarks drive litellm's real HTTP path (its OpenAI provider) with no network and no real model."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ScriptedReply:
    """One HTTP answer: a completion body (status 200) or an error status."""

    body: dict[str, Any]
    status: int = 200
    delay_seconds: float = 0.0


def completion(
    content: str | None = None, tool_calls: list[tuple[str, str, str]] | None = None
) -> ScriptedReply:
    """A chat completion with text and/or tool calls given as (id, function name, raw arguments)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
            for call_id, name, arguments in tool_calls
        ]
    return ScriptedReply(
        body={
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": "stub-model",
            "choices": [
                {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


def error(status: int, message: str, delay_seconds: float = 0.0) -> ScriptedReply:
    return ScriptedReply(
        body={"error": {"message": message, "type": "stub_error", "code": str(status)}},
        status=status,
        delay_seconds=delay_seconds,
    )


@dataclass
class LlmStub:
    """The server and its script. ``requests`` holds every request body received, in order."""

    replies: deque[ScriptedReply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: ScriptedReply) -> None:
        """Answer the next requests with ``replies``, in order; forget earlier requests."""
        with self._lock:
            self.replies = deque(replies)
            self.requests = []

    def start(self) -> LlmStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with stub._lock:
                    stub.requests.append(body)
                    reply = stub.replies.popleft() if stub.replies else error(500, "no scripted reply left")
                time.sleep(reply.delay_seconds)
                payload = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
