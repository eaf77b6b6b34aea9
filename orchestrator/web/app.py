"""The web chat's server: the page, and a small JSON API over ``Conversation``.

A message's POST answers with the reply once the turn is done (the ``send_message`` update waits that long);
meanwhile the page polls the chat's progress, which shows a call waiting for approval, and the page's
decision goes in through another POST. Every failure is ``{"error": "..."}``: 4xx for what the caller can put
right (bad input, a refused message or decision, no such chat), 503 when Temporal or the agent's worker does
not answer, never a stack trace. A message goes to the chat only if an orchestrator worker polls its task
queue (else a 503 at once, naming the worker to start: the message was not sent), and a 503 answers it too if
no worker takes it within ``ACCEPT_WITHIN_SECONDS``.

A page with Approve buttons on localhost is a target for every other site open in the same browser. So a POST
must carry JSON (a cross-site form can't, and this server allows no cross-origin request) and must not come
from another origin, and the Host must be one of this server's own names (against DNS rebinding). The page may
run only its own inline script (a Content-Security-Policy with its hash), on top of inserting data as text.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from collections.abc import Awaitable
from datetime import UTC, datetime
from importlib.resources import files
from typing import Literal, TypeVar
from urllib.parse import quote, urlsplit

import uvicorn
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateHandle,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from orchestrator.approvals import DECISION_REFUSED
from orchestrator.conversation import Conversation
from orchestrator.identity_checks import IDENTITY_REFUSED
from orchestrator.models import AgentReply, Progress, ToolCallDecision, Transcript, UserMessage
from orchestrator.web.web_settings import WebChatSettings
from orchestrator.worker_presence import worker_presence
from shared.failures import failure_message, root_cause, validation_problems
from shared.log import get_logger

log = get_logger(__name__)

PAGE = "page.html"
MAX_BODY_BYTES = 256 * 1024
"""Far above the longest message the agent takes (32,000 characters) and any decision."""
QUERY_TIMEOUT_SECONDS = 5.0
"""How long a look at a chat (progress, transcript, pending approvals) may take: a query waits for a worker,
and with none running it would hang the page's poll."""
ACCEPT_WITHIN_SECONDS = 10.0
"""How long a message may wait for a worker to take it before the POST answers 503 saying so."""

Body = TypeVar("Body", bound=BaseModel)


class ApiError(Exception):
    """A request this server can't carry out; ``message`` says why, and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- What the API answers -------------------------------------------------------------------------------


class StartChat(BaseModel):
    """Body of ``POST /api/chats``."""

    model_config = ConfigDict(extra="forbid")

    workflow_id: str | None = Field(
        default=None, min_length=1, max_length=1000, description="Names the new chat; default: chat-<uuid>."
    )


class ChatView(BaseModel):
    """A chat, as the page opens it."""

    workflow_id: str
    temporal_ui_url: str = Field(description="The chat's workflow in the Temporal UI.")
    transcript: Transcript


class ProgressView(BaseModel):
    """What the agent does now, and the server's clock to measure "for how long" by."""

    as_of: datetime
    progress: Progress


class DecisionView(BaseModel):
    """A decision the chat took."""

    call_id: str
    outcome: Literal["approved", "denied"]


# --- The page -------------------------------------------------------------------------------------------


def _source_hash(page: str, tag: str) -> str:
    """The CSP hash of the page's one inline ``<tag>`` element."""
    found = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)
    if len(found) != 1:
        raise RuntimeError(f"{PAGE} must have exactly one inline <{tag}> element, found {len(found)}")
    digest = hashlib.sha256(found[0].encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def _page_response(page: str) -> Response:
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_source_hash(page, 'script')}",
            f"style-src {_source_hash(page, 'style')}",
            "connect-src 'self'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


# --- The API --------------------------------------------------------------------------------------------


class ChatApi:
    """The API's handlers: each opens the chat its path names and calls one ``Conversation`` method."""

    def __init__(self, client: Client, temporal_ui_url: str, task_queue: str | None = None) -> None:
        self._client = client
        self._temporal_ui_url = temporal_ui_url
        self._task_queue = task_queue

    def ui_url(self, workflow_id: str) -> str:
        namespace = quote(self._client.namespace, safe="")
        return f"{self._temporal_ui_url}/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}"

    async def start_chat(self, request: Request) -> JSONResponse:
        body = await _read(request, StartChat)
        conversation = await Conversation.start(
            self._client,
            workflow_id=body.workflow_id,
            task_queue=self._task_queue,
            token=_bearer_token(request),
        )
        log.info("chat started", workflow_id=conversation.workflow_id)
        view = ChatView(
            workflow_id=conversation.workflow_id,
            temporal_ui_url=self.ui_url(conversation.workflow_id),
            transcript=Transcript(),
        )
        return _json(view, status=201)

    async def resume_chat(self, request: Request) -> JSONResponse:
        conversation = self._conversation(request)
        transcript = await _look(conversation.transcript())
        log.info("chat resumed", workflow_id=conversation.workflow_id, turns=len(transcript.entries))
        view = ChatView(
            workflow_id=conversation.workflow_id,
            temporal_ui_url=self.ui_url(conversation.workflow_id),
            transcript=transcript,
        )
        return _json(view)

    async def send_message(self, request: Request) -> JSONResponse:
        conversation = self._conversation(request)
        message = await _read(request, UserMessage)
        if (problem := message.problem()) is not None:
            raise ApiError(422, problem)
        await self._worker_there(conversation)
        log.info("sending message", workflow_id=conversation.workflow_id, characters=len(message.text))
        update = await self._accepted(conversation, message)
        reply = await update.result()  # a refused message raises why (a 409, 401 or 403)
        log.info("reply received", workflow_id=conversation.workflow_id, tool_calls=len(reply.tool_calls))
        return _json(reply)

    async def _worker_there(self, conversation: Conversation) -> None:
        """A 503 saying which worker to start, when none runs the chat: the message is not sent."""
        description = await conversation.describe()  # no such chat: a 404
        if description.status != WorkflowExecutionStatus.RUNNING:
            raise ApiError(404, f"The chat {conversation.workflow_id!r} has ended: start a new one.")
        presence = await worker_presence(self._client, description.task_queue)
        if presence is not None and presence.absent:
            raise ApiError(503, f"{presence.advice()} Your message was not sent.")

    async def _accepted(
        self, conversation: Conversation, message: UserMessage
    ) -> WorkflowUpdateHandle[AgentReply]:
        """Hand the message to the chat; a 503 if no worker takes it within ``ACCEPT_WITHIN_SECONDS``."""
        delivery = asyncio.ensure_future(conversation.start_send(message.text, sender=message.sender))
        done, _ = await asyncio.wait({delivery}, timeout=ACCEPT_WITHIN_SECONDS)
        if done:
            return delivery.result()
        delivery.cancel()
        await asyncio.gather(delivery, return_exceptions=True)
        description = await conversation.describe()
        presence = await worker_presence(self._client, description.task_queue)
        missing = (
            presence.advice()
            if presence is not None
            else f"No orchestrator worker took the message in {ACCEPT_WITHIN_SECONDS:g} s: is one running?"
        )
        raise ApiError(
            503,
            f"{missing} The message is with the server: if a worker starts soon it is answered (reload the chat).",
        )

    async def progress(self, request: Request) -> JSONResponse:
        progress = await _look(self._conversation(request).progress())
        return _json(ProgressView(as_of=datetime.now(UTC), progress=progress))

    async def pending_approvals(self, request: Request) -> JSONResponse:
        pending = await _look(self._conversation(request).pending_approvals())
        return JSONResponse([item.model_dump(mode="json") for item in pending])

    async def transcript(self, request: Request) -> JSONResponse:
        return _json(await _look(self._conversation(request).transcript()))

    async def decide(self, request: Request) -> JSONResponse:
        conversation = self._conversation(request)
        decision = await _read(request, ToolCallDecision)
        # The workflow is the judge: a refused decision is a 409, a refused approver a 401 or 403.
        await conversation.submit(decision.model_copy(update={"token": conversation.token}))
        outcome: Literal["approved", "denied"] = "approved" if decision.approve else "denied"
        log.info(
            "tool call decided",
            workflow_id=conversation.workflow_id,
            call_id=decision.call_id,
            outcome=outcome,
            approver=decision.approver,
        )
        return _json(DecisionView(call_id=decision.call_id, outcome=outcome))

    def _conversation(self, request: Request) -> Conversation:
        return Conversation.resume(
            self._client, request.path_params["workflow_id"], token=_bearer_token(request)
        )


def _bearer_token(request: Request) -> str | None:
    """The person's token, from ``Authorization: Bearer ...`` (the page sends it with every request)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def _read(request: Request, model: type[Body]) -> Body:
    """The request's JSON body as ``model``: a POST from this page, or refused with what is wrong."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "Send the body as JSON, with the header Content-Type: application/json.")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise ApiError(403, f"Requests from another site ({origin}) are refused.")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, f"The body has {len(raw)} bytes; the limit is {MAX_BODY_BYTES}.")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApiError(400, f"The body is not valid JSON: {error}.") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, f"Bad request: {validation_problems(error, whole='body')}.") from None


Looked = TypeVar("Looked")


async def _look(query: Awaitable[Looked]) -> Looked:
    try:
        async with asyncio.timeout(QUERY_TIMEOUT_SECONDS):
            return await query
    except TimeoutError:
        raise ApiError(
            503,
            f"The chat did not answer within {QUERY_TIMEOUT_SECONDS:g} s: is an orchestrator worker running?",
        ) from None


def _json(model: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


# --- Errors as JSON -------------------------------------------------------------------------------------


def _error(request: Request, status: int, message: str) -> JSONResponse:
    log.warning("request refused", method=request.method, path=request.url.path, status=status, error=message)
    return JSONResponse({"error": message}, status_code=status)


def _chat_named(request: Request) -> str:
    workflow_id = request.path_params.get("workflow_id")
    return f"chat {workflow_id!r}" if workflow_id else "the chat"


async def _on_api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return _error(request, error.status, error.message)


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    messages = {404: "No such page or API endpoint.", 405: f"{request.method} is not allowed here."}
    return _error(request, error.status_code, messages.get(error.status_code, str(error.detail)))


async def _on_rejected_update(request: Request, error: Exception) -> Response:
    # The workflow refused the message or decision; its message says why (a token: 401; a right: 403).
    cause = root_cause(error)
    kind = cause.type if isinstance(cause, ApplicationError) else None
    status = {IDENTITY_REFUSED: 401, DECISION_REFUSED: 403}.get(kind or "", 409)
    return _error(request, status, failure_message(error))


async def _on_failed_query(request: Request, error: Exception) -> Response:
    return _error(request, 409, f"The chat could not answer: {failure_message(error)}")


async def _on_already_started(request: Request, error: Exception) -> Response:
    assert isinstance(error, WorkflowAlreadyStartedError)
    return _error(
        request, 409, f"A chat {error.workflow_id!r} exists already: resume it, or pick another id."
    )


async def _on_rpc_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RPCError)
    if error.status == RPCStatusCode.NOT_FOUND:
        return _error(request, 404, f"There is no {_chat_named(request)} (or it has ended): start a new one.")
    if error.status == RPCStatusCode.INVALID_ARGUMENT:
        return _error(request, 422, f"Temporal refused the request: {error.message}")
    return _error(request, 503, f"Temporal did not answer ({error.message}): is the server running?")


async def _on_unexpected(request: Request, error: Exception) -> Response:
    # The server logs the stack trace (Starlette raises the error on); the browser gets a sentence.
    return JSONResponse({"error": "The web chat failed unexpectedly; its log says why."}, status_code=500)


# --- The application ------------------------------------------------------------------------------------


def build_app(client: Client, settings: WebChatSettings) -> Starlette:
    """The web chat's ASGI application, talking to the agent through ``client``."""
    page = _page_response(files("orchestrator.web").joinpath(PAGE).read_text(encoding="utf-8"))
    api = ChatApi(client, settings.temporal_ui_url, settings.task_queue)

    async def serve_page(request: Request) -> Response:
        return page

    chat = "/api/chats/{workflow_id:path}"  # an id may hold "/"; the routes with a suffix come first
    routes = [
        Route("/", serve_page),
        Route("/api/chats", api.start_chat, methods=["POST"]),
        Route(f"{chat}/messages", api.send_message, methods=["POST"]),
        Route(f"{chat}/progress", api.progress),
        Route(f"{chat}/approvals", api.pending_approvals),
        Route(f"{chat}/decisions", api.decide, methods=["POST"]),
        Route(f"{chat}/transcript", api.transcript),
        Route(chat, api.resume_chat),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)],
        exception_handlers={
            ApiError: _on_api_error,
            HTTPException: _on_http_error,
            WorkflowUpdateFailedError: _on_rejected_update,
            WorkflowQueryFailedError: _on_failed_query,
            WorkflowAlreadyStartedError: _on_already_started,
            RPCError: _on_rpc_error,
            Exception: _on_unexpected,
        },
    )


async def serve(client: Client, settings: WebChatSettings) -> None:
    """Serve the web chat until interrupted (SIGINT or SIGTERM)."""
    config = uvicorn.Config(
        build_app(client, settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # shared.log's configuration; no access log: the page polls every 300 ms
        access_log=False,
        lifespan="off",
    )
    log.info("web chat listening", url=settings.url, namespace=client.namespace)
    await uvicorn.Server(config).serve()
