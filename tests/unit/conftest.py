"""Unit tests import litellm in the test process (the LLM activity, the offline model), so they choose its
bundled cost map first, as the worker's ``main`` does: no test downloads one from the internet. A test that
builds the LLM activity, which sets litellm's switch of HTTP client in the process's environment, leaves the
environment as it found it (``litellm_switch_restored``)."""

from __future__ import annotations

import os

import pytest

from orchestrator.llm.activity import LITELLM_OWN_HTTP_VARIABLE
from orchestrator.worker import LITELLM_COST_MAP_VARIABLE


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault(LITELLM_COST_MAP_VARIABLE, "True")


@pytest.fixture(autouse=True)
def litellm_switch_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record litellm's switch (or its absence) so that it is put back after the test, whatever sets it."""
    if LITELLM_OWN_HTTP_VARIABLE in os.environ:
        monkeypatch.setenv(LITELLM_OWN_HTTP_VARIABLE, os.environ[LITELLM_OWN_HTTP_VARIABLE])
    else:
        monkeypatch.delenv(LITELLM_OWN_HTTP_VARIABLE, raising=False)
