"""Choosing a data provider at worker start: the bundled offline one, or a real one named by a variable.

A team declares a provider protocol and an offline default. An operator plugs in a real provider by setting
the team's variable to ``package.module:ClassName``; the class is built with no arguments (it reads its own
settings, such as an API key, from the environment).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

OFFLINE = "offline"


class ProviderConfigError(RuntimeError):
    """The provider named in the environment can't be loaded; the message says how to fix it."""


def load_provider(variable: str, offline: Callable[[], T], protocol: type[T]) -> T:
    """The provider named by ``variable`` (``module:Class``), or ``offline()`` when unset or ``offline``."""
    spec = os.environ.get(variable, "").strip()
    if spec in ("", OFFLINE):
        return offline()
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise ProviderConfigError(f"{variable}={spec!r}: expected 'package.module:ClassName' or '{OFFLINE}'")
    try:
        factory = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ProviderConfigError(f"{variable}={spec!r}: cannot load it ({error})") from error
    provider = factory()
    if not isinstance(provider, protocol):
        raise ProviderConfigError(f"{variable}={spec!r}: {class_name} does not implement {protocol.__name__}")
    return provider
