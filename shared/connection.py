"""How every process connects to Temporal: ``temporalio.envconfig`` (TOML profiles and ``TEMPORAL_*``
variables) with the pydantic data converter, defaulting to the local dev server and the part's namespace."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfigProfile

from shared.topology import namespace_id

LOCAL_ADDRESS = "localhost:7233"


async def connect(default_namespace: str, *, profile: str | None = None) -> Client:
    """Connect with the given envconfig profile (or ``TEMPORAL_PROFILE``, or the default one).

    ``default_namespace`` is the part's bare namespace from the topology; it is used, qualified for Temporal
    Cloud where ``TEMPORAL_CLOUD_ACCOUNT`` is set, only when neither the profile nor ``TEMPORAL_NAMESPACE``
    names one.
    """
    config = ClientConfigProfile.load(profile=profile).to_client_connect_config()
    # An empty TEMPORAL_ADDRESS or TEMPORAL_NAMESPACE (a common shell leftover) means "not set".
    config["target_host"] = config.get("target_host") or LOCAL_ADDRESS
    config["namespace"] = config.get("namespace") or namespace_id(default_namespace)
    return await Client.connect(**config, data_converter=pydantic_data_converter)
