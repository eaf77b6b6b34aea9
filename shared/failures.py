"""Reading failures for a message a person or a model reads: what actually went wrong in a Temporal failure
chain, and what a pydantic validation error complains about."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError


def root_cause(error: BaseException) -> BaseException:
    """The innermost error of a chain (Temporal wraps causes: workflow -> Nexus -> activity -> application)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def failure_message(error: BaseException) -> str:
    """The innermost message of a chain."""
    cause = root_cause(error)
    return getattr(cause, "message", None) or str(cause)


def validation_problems(
    error: ValidationError,
    *,
    whole: str = "input",
    names: Mapping[str, str] | None = None,
    at_most: int | None = None,
) -> str:
    """One line, ``where: problem; where: problem``, naming each field by its dotted path.

    ``whole`` names a problem with the value as a whole; ``names`` renames top-level fields (a setting is
    named by its environment variable); ``at_most`` lists only the first few problems and counts the rest, for
    an input so far off that the full list would flood the message.
    """
    details = error.errors(include_url=False)
    listed = details if at_most is None else details[:at_most]
    parts = []
    for detail in listed:
        path = [str(part) for part in detail["loc"]]
        if path and names:
            path[0] = names.get(path[0], path[0])
        parts.append(f"{'.'.join(path) or whole}: {detail['msg']}")
    if len(details) > len(listed):
        parts.append(f"and {len(details) - len(listed)} more")
    return "; ".join(parts)
