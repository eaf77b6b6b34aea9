"""A new chat's first worker step: the start token's check and the service directory's read, in one activity.

Elsewhere each is a worker step of its own (``identity_checks.verified`` for a message's token, the
``tool_services`` step for a rediscovery's directory). A new chat needs both before anything else, and as two
activities they cost the server two trips through matching and the chat one more workflow task before its
first reply: with 100 chats opened at once, the server's CPU per new chat was about a tenth higher and the
first reply about a tenth later. One step does both: the token first; a refused token is the step's failure,
and the directory is then not read (a refused chat never discovers tools).

Runs recorded before ``OPEN_CHAT_PATCH`` replay with the two steps. Workflow code (``opened``) and the
worker's activity (``ChatOpener``) live here together, as in ``identity_checks``.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from orchestrator.identity_checks import IdentityActivities, token_checking_step
from orchestrator.service_directory import ServiceDirectory, TeamEndpoint
from shared.identity.identity import Identity

OPEN_CHAT = "open_chat"
OPEN_CHAT_PATCH = "open-chat"
"""Runs past it open a chat with ``open_chat``; runs before, with ``verify_identity`` and ``tool_services``."""


class OpenedChat(BaseModel):
    """What ``open_chat`` found: who started the chat (verified) and the tool services to discover."""

    owner: Identity
    services: list[TeamEndpoint]


class ChatOpener:
    """The worker's side: its token verifier and its service directory, as one activity."""

    def __init__(self, identity: IdentityActivities, directory: ServiceDirectory) -> None:
        self._identity = identity
        self._directory = directory

    @activity.defn(name=OPEN_CHAT)
    async def open_chat(self, token: str | None) -> OpenedChat:
        owner = await self._identity.verify_identity(token)
        return OpenedChat(owner=owner, services=await self._directory.tool_services())


async def opened(token: str | None) -> OpenedChat:
    """From workflow code: the chat's owner (who ``token`` belongs to) and its tool services;
    ``TokenRefused`` if the token is refused."""
    return await token_checking_step(OPEN_CHAT, token, OpenedChat)
