"""Reading a raw payload out of a history as the parts of the suite wrote it: through the payload codec (an
encrypted payload is decrypted; one written without encryption passes through), then as JSON."""

from __future__ import annotations

import json
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from shared.connection import data_converter


async def payload_json(payload: Payload, converter: DataConverter | None = None) -> Any:
    """``payload``'s JSON value, decoded with ``converter``'s codec (by default the test process's own data
    converter, which the session's ``stack`` fixture points at the suite's keys)."""
    codec = (converter or data_converter()).payload_codec
    if codec is not None:
        (payload,) = await codec.decode([payload])
    return json.loads(payload.data)
