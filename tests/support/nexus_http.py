"""Starting a Nexus operation over the server's HTTP API, as any Nexus caller (or an attacker holding a
header copied from a history) can."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any


def post_start(
    url: str, request_id: str, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body of a start request (an error status is returned, not raised)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Nexus-Request-Id": request_id, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
