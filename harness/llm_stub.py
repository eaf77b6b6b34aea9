"""An OpenAI-compatible chat-completions server on 127.0.0.1 that answers with scripted replies, so tests and
benchmarks drive litellm's real HTTP path (its OpenAI provider) with no network and no real model."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.local_http import LocalServer, QuietHandler, serve_in_thread


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


Responder = Callable[[dict[str, Any]], ScriptedReply]
"""Builds the answer to one request body; used instead of the script when set (benchmarks use it)."""


@dataclass
class LlmStub:
    """The server and its script. ``requests`` holds every request body received, in order, and
    ``user_agents`` their ``User-Agent`` headers (what sent them: the OpenAI SDK, litellm's own handler).

    With a ``responder`` every request is answered by it (the script is ignored), and ``latency_seconds``
    is added to each answer's own delay: a model that always takes, say, 1 s. ``record_requests=False``
    keeps ``requests`` empty for long runs. ``cpu_seconds`` is the CPU time its request threads have taken
    (reading, answering; not the delays), so a benchmark can say how much of its own process the stub took.
    """

    replies: deque[ScriptedReply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    _server: LocalServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    responder: Responder | None = None
    latency_seconds: float = 0.0
    record_requests: bool = True
    cpu_seconds: float = 0.0

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}/v1"

    def model_settings(self) -> dict[str, str]:
        """An orchestrator worker's settings for this stub as its model, through litellm's OpenAI provider."""
        return {
            "AGENT_MODEL": "openai/stub-model",
            "AGENT_API_BASE": self.base_url,
            "AGENT_API_KEY": "stub-key-not-a-secret",
        }

    def script(self, *replies: ScriptedReply) -> None:
        """Answer the next requests with ``replies``, in order; forget earlier requests."""
        with self._lock:
            self.replies = deque(replies)
            self.requests = []
            self.user_agents = []

    def start(self) -> LlmStub:
        stub = self

        class Handler(QuietHandler):
            # Connections kept open between requests, as a model provider's are: litellm's HTTP client
            # reuses them, and the bench measures the agent, not a TCP handshake per call.
            protocol_version = "HTTP/1.1"

            def handle_one_request(self) -> None:
                # Each request's CPU time in its connection's thread, parsing included (not the delays, nor
                # the wait for a kept connection's next request).
                started = time.thread_time()
                try:
                    super().handle_one_request()
                finally:
                    with stub._lock:
                        stub.cpu_seconds += time.thread_time() - started

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with stub._lock:
                    if stub.record_requests:
                        stub.requests.append(body)
                        stub.user_agents.append(self.headers.get("User-Agent", ""))
                    if stub.responder is not None:
                        reply = stub.responder(body)
                    else:
                        reply = (
                            stub.replies.popleft() if stub.replies else error(500, "no scripted reply left")
                        )
                    delay = reply.delay_seconds + stub.latency_seconds
                time.sleep(delay)
                self.answer(reply.status, "application/json", json.dumps(reply.body).encode())

        self._server = serve_in_thread(Handler)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
