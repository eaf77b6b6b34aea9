"""Names the workflow and the LLM activity share, kept free of litellm so the workflow (and every client that
imports it) does not load a model SDK."""

CALL_LLM = "call_llm"
"""The LLM activity's name."""
LLM_QUEUE_SUFFIX = "-llm"


def llm_task_queue(task_queue: str) -> str:
    """The queue of their own on which the version before this one scheduled the model calls (``call_llm``,
    ``summarize_history``) of the chats on ``task_queue``: its workers still serve the calls such a run
    retries. Model calls are now scheduled on the chats' own queue, where they start eagerly in the worker
    that schedules them."""
    return task_queue + LLM_QUEUE_SUFFIX


LLM_REJECTED = "LlmRequestRejected"
"""Failure type of a request the provider refused for good (authentication, bad request, content policy)."""
LLM_RATE_LIMITED = "LlmRateLimited"
"""Failure type of a model that is rate-limited while a fallback model follows it: not retried, so the
workflow asks the next model at once instead of waiting the limit out."""
LLM_MODELS = "llm_models"
"""The worker step that names the models a call may ask, in order (``AGENT_MODEL``, then
``AGENT_FALLBACK_MODELS``); ``LlmRequest.model_choice`` picks one by its position."""
OFFLINE_MODEL = "offline/planner"
"""The offline model: the deterministic planner registered in litellm as the custom provider ``offline``."""
NOT_PERMITTED_NOTE = "The user is not permitted to use these tools, which their teams withheld"
"""How the instructions name the tools withheld from the user (``team/tool (needs scope)``, ``; ``-separated),
so a model, the offline one included, can tell the user plainly."""
NOT_PERMITTED_ADVICE = "If they ask for what these do, tell them plainly they are not permitted, and why."
SUMMARIZE_HISTORY = "summarize_history"
"""The activity that replaces a chat's older messages with a summary when its requests near the model's window."""
SUMMARY_INSTRUCTION = (
    "Summarise the conversation below, which you will continue from this summary alone: keep the user's "
    "questions and requests, the facts and figures the tools returned that may matter later, what was done "
    "(tickets created, with their ids) and anything the user asked you to remember. Write only the summary, "
    "briefly."
)
"""The instructions of a summarising call; the offline model knows such a call by them."""
