"""Conversations at a glance on a real server: the chat keeps its search attributes (user, status, tools
used, model), and ``python -m orchestrator.chats`` lists chats by them and shows one transcript with the
duration of every step. On a suite of its own with identity on, so each chat's user is a verified subject."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from harness.local_issuer import EVERY_TOOL_SCOPE, LocalIssuer
from harness.server import free_port
from harness.suite import Suite, offline_settings, running_suite
from orchestrator import chats
from orchestrator.chat_index import list_chats
from orchestrator.conversation import Conversation
from orchestrator.search_attributes import CHAT_MODEL, CHAT_STATUS, CHAT_TOOLS, CHAT_USER
from tests.support.waiting import eventually


@dataclass
class Chats:
    suite: Suite
    alice: Conversation
    bob: Conversation


@pytest.fixture(scope="module")
async def chats_made(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Chats]:
    """Alice's chat, still open, that asked for her IP address; Bob's, ended after one message."""
    state = tmp_path_factory.mktemp("chats")
    async with running_suite(state, env=offline_settings(state / "tickets.db"), identity=True) as suite:
        issuer = suite.issuer
        assert isinstance(issuer, LocalIssuer)
        alice = await Conversation.start(suite.client, token=issuer.mint("alice", EVERY_TOOL_SCOPE))
        bob = await Conversation.start(suite.client, token=issuer.mint("bob", EVERY_TOOL_SCOPE))
        await alice.send("What is my IP address?")
        await bob.send("What is my IP address?")
        await bob.end()
        try:
            yield Chats(suite, alice, bob)
        finally:
            await alice.close(within=10)


async def listed(suite: Suite, *arguments: str) -> str:
    """What ``python -m orchestrator.chats list ...`` prints, run as a process with the suite's settings."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orchestrator.chats",
        "list",
        *arguments,
        env={**os.environ, **suite.base_env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_chat_keeps_its_user_status_tools_and_model_as_search_attributes(chats_made: Chats) -> None:
    description = await chats_made.alice.handle.describe()
    attributes = description.typed_search_attributes

    assert attributes.get(CHAT_USER) == "alice"
    assert attributes.get(CHAT_STATUS) == "active"
    assert attributes.get(CHAT_TOOLS) == ["it/get_ip"]
    assert attributes.get(CHAT_MODEL)
    ended = (await chats_made.bob.handle.describe()).typed_search_attributes
    assert ended.get(CHAT_USER) == "bob" and ended.get(CHAT_STATUS) == "ended"


async def test_listing_by_user_shows_only_that_users_chats_with_tools_and_model(chats_made: Chats) -> None:
    client, alice, bob = chats_made.suite.client, chats_made.alice.workflow_id, chats_made.bob.workflow_id

    async def both_indexed() -> bool:
        rows = {row.workflow_id: row for row in await list_chats(client)}
        return alice in rows and bob in rows and bool(rows[alice].tools) and rows[bob].status == "ended"

    await eventually(both_indexed, within=15, what="both chats in the visibility index")

    output = await listed(chats_made.suite, "--user", "alice")

    assert alice in output and bob not in output
    (row,) = [line for line in output.splitlines() if alice in line]
    assert "alice" in row and "active" in row and "it/get_ip" in row
    assert output.splitlines()[0].split()[:4] == ["ID", "USER", "STATUS", "STARTED"]


async def test_listing_by_status_tells_open_chats_from_ended_ones(chats_made: Chats) -> None:
    alice, bob = chats_made.alice.workflow_id, chats_made.bob.workflow_id
    await eventually(
        lambda: _has(chats_made, bob, status="ended"), within=15, what="Bob's chat indexed as ended"
    )

    ended = await listed(chats_made.suite, "--status", "ended")
    active = await listed(chats_made.suite, "--status", "active", "--user", "alice")
    nobody = await listed(chats_made.suite, "--user", "carol")

    assert bob in ended and alice not in ended
    assert alice in active and bob not in active
    assert nobody.strip() == "No chats match."


async def _has(chats_made: Chats, workflow_id: str, status: str) -> bool:
    rows = await list_chats(chats_made.suite.client, status=status)  # type: ignore[arg-type]
    return any(row.workflow_id == workflow_id for row in rows)


async def test_show_prints_a_running_chats_transcript_with_the_duration_of_every_step(
    chats_made: Chats, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await chats.main(["show", chats_made.alice.workflow_id], client=chats_made.suite.client)

    out = capsys.readouterr().out
    assert code == 0
    assert f"Chat {chats_made.alice.workflow_id}: user alice, active" in out
    turn = next(line for line in out.splitlines() if line.startswith("Turn 1"))
    assert turn.endswith(" ms")
    assert "user: What is my IP address?" in out
    call = next(line for line in out.splitlines() if "it/get_ip" in line)
    assert "-> ok [" in call and call.endswith("ms]")


async def test_show_prints_an_ended_chats_transcript_from_its_result(
    chats_made: Chats, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await chats.main(["show", chats_made.bob.workflow_id], client=chats_made.suite.client)

    out = capsys.readouterr().out
    assert code == 0
    assert "user bob, ended" in out and "Turn 1" in out and "it/get_ip" in out


async def test_show_of_an_unknown_id_says_how_to_find_one(
    chats_made: Chats, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await chats.main(["show", "no-such-chat"], client=chats_made.suite.client)

    captured = capsys.readouterr()
    assert code == chats.NOT_FOUND and captured.out == ""
    assert captured.err.strip().splitlines() == [
        "No chat 'no-such-chat' in namespace default; `python -m orchestrator.chats list` shows the recent ones."
    ]


async def test_listing_with_no_server_is_one_line_naming_the_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("TEMPORAL_ADDRESS", address)

    code = await chats.main(["list"])

    err = capsys.readouterr().err.strip()
    assert code == chats.UNREACHABLE
    assert len(err.splitlines()) == 1 and address in err
