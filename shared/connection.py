"""How every process connects to Temporal: ``temporalio.envconfig`` (TOML profiles and ``TEMPORAL_*``
variables) with the pydantic data converter, defaulting to the local dev server and the part's namespace.
The converter encrypts payloads when ``PAYLOAD_KEYS_FILE`` names a key file (``shared.encryption``).
A server that does not answer is a ``ServerUnreachable`` naming the address and what to start.
The client traces (and so do the workers built on it) when ``shared.telemetry`` says traces are exported."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.envconfig import ClientConfigProfile
from temporalio.service import RPCError

from shared.encryption.settings import codec_for, configured_keys_file
from shared.metrics import metrics_runtime
from shared.process import ServerUnreachable
from shared.telemetry import tracing_plugins
from shared.topology import namespace_id

LOCAL_ADDRESS = "localhost:7233"
START_LOCAL_STACK = "scripts/stack start"
"""The command that starts the local dev server (and prints the address to export)."""
CONNECT_TIMEOUT_SECONDS = 15.0
"""How long a connection may take: an address where nothing answers (a dropped packet) fails after this."""


def data_converter() -> DataConverter:
    """The data converter of every client and worker of the suite: pydantic, with the payload codec when
    ``PAYLOAD_KEYS_FILE`` is set. ``EncryptionSettingsError`` if that file cannot be used."""
    return data_converter_for(configured_keys_file())


def data_converter_for(keys_file: Path | None) -> DataConverter:
    """The pydantic data converter, encrypting with the keys of ``keys_file`` (None: not encrypting)."""
    codec = codec_for(keys_file)
    if codec is None:
        return pydantic_data_converter
    # Failure messages and stack traces go into an encoded payload too: a tool's error often quotes its
    # arguments ("no quote for ticker ..."), and the history must hold none of them in plain text.
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(default_namespace: str, *, profile: str | None = None) -> Client:
    """Connect with the given envconfig profile (or ``TEMPORAL_PROFILE``, or the default one).

    ``default_namespace`` is the part's bare namespace from the topology; it is used, qualified for Temporal
    Cloud where ``TEMPORAL_CLOUD_ACCOUNT`` is set, only when neither the profile nor ``TEMPORAL_NAMESPACE``
    names one. The encryption settings are checked before anything connects. ``ServerUnreachable`` when no
    server answers there.
    """
    converter = data_converter()
    config = ClientConfigProfile.load(profile=profile).to_client_connect_config()
    # An empty TEMPORAL_ADDRESS or TEMPORAL_NAMESPACE (a common shell leftover) means "not set".
    config["target_host"] = config.get("target_host") or LOCAL_ADDRESS
    config["namespace"] = config.get("namespace") or namespace_id(default_namespace)
    target = config["target_host"]
    plugins = tracing_plugins(default_namespace)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            return await Client.connect(
                **config, data_converter=converter, plugins=plugins, runtime=metrics_runtime()
            )
    except TimeoutError:
        raise ServerUnreachable(unreachable(target, f"no answer in {CONNECT_TIMEOUT_SECONDS:g} s")) from None
    except RuntimeError as error:  # the SDK's "Failed client connect: ..."
        raise ServerUnreachable(unreachable(target, _reason(str(error)))) from None


def unreachable(target: str, reason: str) -> str:
    """One line: where Temporal was looked for, why it failed, and how to start or point at a server."""
    return (
        f"Cannot reach Temporal at {target} ({reason}). Start the local stack with `{START_LOCAL_STACK}` "
        "(then export the TEMPORAL_ADDRESS it prints), or point TEMPORAL_ADDRESS or --profile at your server."
    )


def no_answer(client: Client | None, error: RPCError) -> str:
    """One line for a server that was reached but did not answer a call: where, what it said, what to do."""
    address = client.service_client.config.target_host if client is not None else "its address"
    return (
        f"Temporal at {address} did not answer ({error.message}). Is it running? The local stack starts "
        f"with `{START_LOCAL_STACK}`."
    )


def _reason(error: str) -> str:
    """The gist of the SDK's connection error ("Connection refused"), not its nested Rust debug text."""
    if found := re.search(r'message: "([^"]+)"', error):
        return found.group(1)
    if found := re.search(r'ConnectError\("([^"]+)"', error):
        return found.group(1)
    return error.removeprefix("Failed client connect: ").splitlines()[0][:200]
