"""Names the workflow and the LLM activity share, kept free of litellm so the workflow (and every client that
imports it) does not load a model SDK."""

CALL_LLM = "call_llm"
"""The LLM activity's name."""
LLM_REJECTED = "LlmRequestRejected"
"""Failure type of a request the provider refused for good (authentication, bad request, content policy)."""
OFFLINE_MODEL = "offline/planner"
"""The offline model: the deterministic planner registered in litellm as the custom provider ``offline``."""
