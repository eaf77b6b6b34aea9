"""One chat at a terminal, as ``python -m orchestrator.chat`` runs it.

A message goes out only when an orchestrator worker is there to take it: with none, the person is told at
once which worker to start, and the message waits here (interactive) or is not sent (one shot). Once sent,
the chat must accept it (the update's validator may refuse it, with the reason); only then does the live line
show what the agent does. A message that no worker takes within seconds is reported the same way. A call
waiting for approval is shown with its exact arguments. ``last`` says where the latest message got to, so
that leaving the chat can tell the person whether it was delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from orchestrator.conversation import Conversation
from orchestrator.models import AgentReply, PendingApproval, Progress
from orchestrator.presentation import describe_pending, describe_progress
from orchestrator.worker_presence import WorkerPresence, worker_presence
from shared.failures import failure_message

APPROVE, DENY = "/approve", "/deny"
LOOK_EVERY_SECONDS = 0.3
"""How often the live line asks the chat what it does."""
NOTICE_AFTER_SECONDS = 3.0
"""A message not accepted (or a turn that shows no progress) for this long: look for a worker, and say so."""
LOOK_AGAIN_SECONDS = 5.0
"""How often to look for a worker again while a message waits for one."""
GIVE_UP_SECONDS = 15.0
"""A one-shot message no worker has taken after this long is given up, even if one is listed as polling."""
QUERY_TIMEOUT_SECONDS = 2.0
"""A look at the chat (progress, approvals) gets no answer without a worker: give up on it after this."""

Stage = Literal["held", "sent", "refused", "accepted", "answered"]


@dataclass
class Outgoing:
    """The latest message and how far it got: ``held`` (here, not sent), ``sent`` (with the server, not
    accepted by the chat yet), ``refused`` (by the chat, saying why), ``accepted`` (the agent works on it),
    ``answered``."""

    text: str
    stage: Stage = "held"


class TerminalChat:
    """One chat at a terminal; ``patient``: wait for a worker (interactive), else give up (one shot)."""

    def __init__(self, client: Client, conversation: Conversation, person: str, *, patient: bool) -> None:
        self.client = client
        self.conversation = conversation
        self.person = person
        self.patient = patient
        self.last: Outgoing | None = None
        self._shown: set[str] = set()
        """Pending approvals already printed."""

    async def send(self, text: str) -> AgentReply | None:
        """One turn, with the live line meanwhile; a message not sent or not answered is explained and
        returns None."""
        message = self.last = Outgoing(text)
        if not await self._until_worker():
            return None
        message.stage = "sent"
        update = await self._until_accepted(text)
        if update is None:
            return None
        if Conversation.settled_at_once(update):  # refused by the chat's validator: no turn, no live line
            message.stage = "refused"
            try:
                return await update.result()
            except WorkflowUpdateFailedError as error:
                print(f"(not sent: {failure_message(error)})")
                return None
        message.stage = "accepted"
        watcher = asyncio.create_task(self._watch())
        try:
            reply = await update.result()
        except WorkflowUpdateFailedError as error:
            print(f"(not answered: {failure_message(error)})")
            return None
        except RPCError as error:
            print(f"(no answer: the chat {self.conversation.workflow_id} does not answer: {error.message})")
            return None
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            _clear_line()
        message.stage = "answered"
        return reply

    async def warn_if_no_worker(self) -> bool:
        """Say at once when no worker runs the chat (on opening it); whether one may."""
        with contextlib.suppress(RPCError):
            _, presence = await self._look()
            if presence is not None and presence.absent:
                print(f"({presence.advice()} Your messages wait until one runs.)")
                return False
        return True

    async def _until_worker(self) -> bool:
        """Before sending: is the chat open and a worker there? With none, say which to start; wait for it
        (patient) or give up."""
        try:
            running, presence = await self._look()
        except RPCError as error:
            print(f"(not sent: {self._cannot_find(error)})")
            return False
        if not running:
            print(f"(not sent: the chat {self.conversation.workflow_id} has ended; start a new one)")
            return False
        if presence is None or not presence.absent:
            return True
        if not self.patient:
            print(f"(not sent: {presence.advice()})")
            return False
        print(f"({presence.advice()} Your message waits here and goes out when it runs; Ctrl-C gives up.)")
        while presence is not None and presence.absent:
            await asyncio.sleep(1.0)
            presence = await worker_presence(self.client, presence.task_queue)
        print("(a worker runs the chat now: sending your message)")
        return True

    async def _until_accepted(self, text: str) -> WorkflowUpdateHandle[AgentReply] | None:
        """Send, and wait until the chat accepts the message; while no worker takes it, say so."""
        delivery = asyncio.ensure_future(self.conversation.start_send(text, sender=self.person))
        started = time.monotonic()
        told: str | None = None
        try:
            while True:
                wait = NOTICE_AFTER_SECONDS if told is None else LOOK_AGAIN_SECONDS
                done, _ = await asyncio.wait({delivery}, timeout=wait)
                if done:
                    return self._accepted(delivery)
                waited = time.monotonic() - started
                presence = await self._presence_or_none()
                notice = _not_taken(presence, waited)
                kind = "absent" if presence is not None and presence.absent else "unsure"
                if kind != told:
                    told = kind
                    _clear_line()
                    if self.patient:
                        print(f"({notice} Your message is with the server and goes through when one runs.)")
                    else:
                        print(f"({notice})")
                if not self.patient and (kind == "absent" or waited >= GIVE_UP_SECONDS):
                    return None
        finally:
            if not delivery.done():
                delivery.cancel()
                await asyncio.gather(delivery, return_exceptions=True)

    def _accepted(
        self, delivery: asyncio.Future[WorkflowUpdateHandle[AgentReply]]
    ) -> WorkflowUpdateHandle[AgentReply] | None:
        try:
            return delivery.result()
        except WorkflowUpdateFailedError as error:
            print(f"(not sent: {failure_message(error)})")
        except RPCError as error:
            print(f"(not sent: {self._cannot_find(error)})")
        if self.last is not None:
            self.last.stage = "refused"  # and the person was told why
        return None

    async def _look(self) -> tuple[bool, WorkerPresence | None]:
        """Whether the chat is open, and who polls its task queue."""
        description = await self.conversation.describe()
        running = description.status == WorkflowExecutionStatus.RUNNING
        return running, await worker_presence(self.client, description.task_queue)

    async def _presence_or_none(self) -> WorkerPresence | None:
        try:
            return (await self._look())[1]
        except RPCError:
            return None

    def _cannot_find(self, error: RPCError) -> str:
        chat = self.conversation.workflow_id
        if error.status == RPCStatusCode.NOT_FOUND:
            return f"there is no chat {chat} (or it has ended): check the id, or start a new chat"
        return f"Temporal did not answer about chat {chat}: {error.message}"

    async def decide(self, verb: str, reason: str) -> None:
        """``/approve`` or ``/deny <reason>``: answer the oldest waiting call this terminal has shown. One
        not shown yet is shown first: an approval is for what the person saw."""
        try:
            async with asyncio.timeout(QUERY_TIMEOUT_SECONDS * 2):
                waiting = await self.conversation.pending_approvals()
        except (RPCError, WorkflowQueryFailedError, TimeoutError) as error:
            print(f"(cannot read the chat: {getattr(error, 'message', '') or 'no worker answers'})")
            return
        if not waiting:
            print("(no call is waiting for approval)")
            return
        pending = next((item for item in waiting if item.call_id in self._shown), None)
        if pending is None:
            self._show_new(waiting)
            return
        try:
            await self.conversation.decide(
                pending, approve=verb == APPROVE, approver=self.person, reason=reason
            )
        except WorkflowUpdateFailedError as error:
            print(f"(not taken: {failure_message(error)})")
            return
        except RPCError as error:
            print(f"(not taken: the chat has ended or does not answer: {error.message})")
            return
        verdict = "approved" if verb == APPROVE else "denied"
        print(f"({verdict}: {pending.service}/{pending.tool}, call {pending.call_id})")

    async def show_waiting(self) -> None:
        """Print the calls waiting for a decision that were not shown yet (on resuming a chat, say)."""
        with contextlib.suppress(RPCError, WorkflowQueryFailedError, TimeoutError):
            async with asyncio.timeout(QUERY_TIMEOUT_SECONDS):
                self._show_new(await self.conversation.pending_approvals())

    async def _watch(self) -> None:
        """The live line, while an accepted message's turn runs; if the chat stops answering (its worker
        stopped), look for a worker and say which to start."""
        quiet_since: float | None = None
        told = False
        while True:
            try:
                async with asyncio.timeout(QUERY_TIMEOUT_SECONDS):
                    progress: Progress | None = await self.conversation.progress()
                quiet_since = None
            except (RPCError, WorkflowQueryFailedError, TimeoutError):
                progress = None  # the worker is restarting, or gone: the turn goes on when one runs
                quiet_since = quiet_since or time.monotonic()
            if progress is not None:
                self._show_new(progress.pending_approvals)
                _live_line(progress)
            elif (
                not told and quiet_since and (quiet := time.monotonic() - quiet_since) >= NOTICE_AFTER_SECONDS
            ):
                told = True  # no worker has answered for seconds: a live one answers a query at once
                _clear_line()
                notice = _not_taken(await self._presence_or_none(), quiet, "answered")
                print(f"({notice} The agent goes on with your message when one runs.)")
            await asyncio.sleep(LOOK_EVERY_SECONDS)

    def _show_new(self, waiting: list[PendingApproval]) -> None:
        for pending in waiting:
            if pending.call_id not in self._shown:
                self._shown.add(pending.call_id)
                _clear_line()
                print(describe_pending(pending))
                print("  answer with /approve or /deny <reason>")


def _not_taken(presence: WorkerPresence | None, waited: float, verb: str = "taken your message") -> str:
    """What the person is told when no worker has taken (or answered) for ``waited`` seconds."""
    if presence is not None:
        return presence.advice()
    return (
        f"No orchestrator worker has {verb} in {waited:.0f} s: is one running? "
        "Start one with `python -m orchestrator.worker`."
    )


def _live_line(progress: Progress) -> None:
    if not sys.stderr.isatty():
        return
    sys.stderr.write(f"\r\033[K{describe_progress(progress, datetime.now(UTC))}")
    sys.stderr.flush()


def _clear_line() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
