"""Unit tests import litellm in the test process (the LLM activity, the offline model), so they choose its
bundled cost map first, as the worker's ``main`` does: no test downloads one from the internet."""

from __future__ import annotations

import os

import pytest

from orchestrator.worker import LITELLM_COST_MAP_VARIABLE


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault(LITELLM_COST_MAP_VARIABLE, "True")
