"""Reading Temporal failure chains: what actually went wrong, for a message a person or a model reads."""

from __future__ import annotations


def root_cause(error: BaseException) -> BaseException:
    """The innermost error of a chain (Temporal wraps causes: workflow -> Nexus -> activity -> application)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def failure_message(error: BaseException) -> str:
    """The innermost message of a chain."""
    cause = root_cause(error)
    return getattr(cause, "message", None) or str(cause)
