"""Where the IT tools get their data. The offline providers ship bundled, deterministic data; a real one is
chosen with ``IT_IP_PROVIDER`` / ``IT_JIRA_PROVIDER`` / ``IT_DIAGNOSTICS_PROVIDER`` set to
``package.module:ClassName``."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
import urllib.request
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

from it_service.models import DiagnosticCheck, Diagnostics, IpAddress, JiraMetrics
from shared.kit import ToolError
from shared.kit.provider_loading import load_provider

IP_PROVIDER_VARIABLE = "IT_IP_PROVIDER"
JIRA_PROVIDER_VARIABLE = "IT_JIRA_PROVIDER"
DIAGNOSTICS_PROVIDER_VARIABLE = "IT_DIAGNOSTICS_PROVIDER"
JIRA_DATA_FILE = Path(__file__).with_name("data") / "jira_projects.json"


@runtime_checkable
class IpProvider(Protocol):
    """Answers with the network's public IP address."""

    async def public_ip(self) -> IpAddress: ...


@runtime_checkable
class JiraProvider(Protocol):
    """Answers with a Jira project's delivery metrics; raises ``ToolError`` for an unknown project."""

    async def project_metrics(self, project: str) -> JiraMetrics: ...


@runtime_checkable
class DiagnosticsProvider(Protocol):
    """Runs the network's checks for about ``seconds`` (a longer run samples more) and reports each."""

    async def diagnose(self, seconds: float) -> Diagnostics: ...


class OfflineIpProvider:
    """A fixed documentation-range address (RFC 5737), so the tool works with no network."""

    ADDRESS = "203.0.113.24"

    async def public_ip(self) -> IpAddress:
        return IpAddress(ip=self.ADDRESS, version=4, source="offline")


class IpifyProvider:
    """The real public address, from api.ipify.org (``IT_IP_PROVIDER=it_service.providers:IpifyProvider``)."""

    URL = "https://api.ipify.org?format=json"

    async def public_ip(self) -> IpAddress:
        body = await asyncio.to_thread(self._fetch)
        address = ipaddress.ip_address(json.loads(body)["ip"])
        return IpAddress(ip=str(address), version=address.version, source="ipify")

    def _fetch(self) -> bytes:
        with urllib.request.urlopen(self.URL, timeout=10) as response:
            body: bytes = response.read()
            return body


class OfflineJiraProvider:
    """Bundled metrics for a handful of projects (``data/jira_projects.json``), found by key or by a word of
    the project's name (WEBSITE is WEB)."""

    @cached_property
    def _projects(self) -> dict[str, dict[str, object]]:
        projects: dict[str, dict[str, object]] = json.loads(JIRA_DATA_FILE.read_text())
        return projects

    async def project_metrics(self, project: str) -> JiraMetrics:
        key = project if project in self._projects else self._key_named(project)
        if key is None:
            known = ", ".join(sorted(self._projects))
            raise ToolError(f"No Jira project {project!r}; known projects: {known}")
        return JiraMetrics.model_validate({"project": key, **self._projects[key], "source": "offline"})

    def _key_named(self, word: str) -> str | None:
        """The key of the one project with ``word`` in its name (SECURITY -> SEC), if exactly one has it."""
        named = [
            key
            for key, data in self._projects.items()
            if word.casefold() in str(data["name"]).casefold().split()
        ]
        return named[0] if len(named) == 1 else None


class OfflineDiagnosticsProvider:
    """Bundled results of four checks, which share the time asked for: a slow tool by design, long enough
    to outlive a worker (the kit heartbeats for it; a retry on another worker runs it again)."""

    CHECKS = (
        DiagnosticCheck(name="gateway reachable", ok=True, detail="10.0.0.1 answered 20 of 20 pings, 0.4 ms"),
        DiagnosticCheck(name="DNS resolution", ok=True, detail="intranet.example.com resolved in 3 ms"),
        DiagnosticCheck(name="VPN concentrators", ok=True, detail="2 of 2 answered on port 443"),
        DiagnosticCheck(name="packet loss", ok=True, detail="0.0% over the run"),
    )

    async def diagnose(self, seconds: float) -> Diagnostics:
        started = time.monotonic()
        for _ in self.CHECKS:
            await asyncio.sleep(seconds / len(self.CHECKS))
        return Diagnostics(
            checks=list(self.CHECKS),
            healthy=all(check.ok for check in self.CHECKS),
            seconds=round(time.monotonic() - started, 2),
            source="offline",
        )


def ip_provider() -> IpProvider:
    return load_provider(IP_PROVIDER_VARIABLE, OfflineIpProvider, IpProvider)


def jira_provider() -> JiraProvider:
    return load_provider(JIRA_PROVIDER_VARIABLE, OfflineJiraProvider, JiraProvider)


def diagnostics_provider() -> DiagnosticsProvider:
    return load_provider(DIAGNOSTICS_PROVIDER_VARIABLE, OfflineDiagnosticsProvider, DiagnosticsProvider)
