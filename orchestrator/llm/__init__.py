"""The model side of the agent: how the workflow calls the model (``model_call``), the LLM activity
(``activity``, litellm) and the offline model that runs inside litellm.

Only ``activity`` and ``offline_model`` import litellm; the workflow's modules never do.
"""
