"""The chat's custom search attributes: who owns it, what it is doing, which tools and model it used. The
workflow upserts them (``chat_attributes``), the local stack registers them (``harness.provisioning``),
Terraform declares them (``infrastructure/main.tf``), and ``orchestrator.chats`` lists chats by them."""

from __future__ import annotations

from typing import Any, Literal

from temporalio.common import SearchAttributeKey

CHAT_USER = SearchAttributeKey.for_keyword("ChatUser")
"""The chat's owner as verified: the start token's subject, or ``local-developer`` when identity is off."""
CHAT_STATUS = SearchAttributeKey.for_keyword("ChatStatus")
"""One of ``ChatStatus``: what the chat is doing now."""
CHAT_TOOLS = SearchAttributeKey.for_keyword_list("ChatTools")
"""Every tool the chat has called, as ``team/tool`` (``local/calculator`` for the orchestrator's own)."""
CHAT_MODEL = SearchAttributeKey.for_keyword("ChatModel")
"""The model that answered the chat's latest model call."""

CHAT_SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = (CHAT_USER, CHAT_STATUS, CHAT_TOOLS, CHAT_MODEL)
"""Every custom attribute the chat workflow upserts: a namespace must have them all registered, or the
chat's first upsert fails its workflow task."""

ChatStatus = Literal["active", "waiting_for_approval", "ended"]
ACTIVE: ChatStatus = "active"
WAITING_FOR_APPROVAL: ChatStatus = "waiting_for_approval"
ENDED: ChatStatus = "ended"
STATUSES: tuple[ChatStatus, ...] = (ACTIVE, WAITING_FOR_APPROVAL, ENDED)

SEARCH_ATTRIBUTES_PATCH = "search-attributes"
"""The ``workflow.patched`` id guarding every upsert: chats started before it replay without them."""
