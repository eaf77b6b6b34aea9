"""The model side of the agent: the LLM activity (litellm) and the offline model that runs inside litellm."""

import os

# litellm downloads its model cost map from the internet when imported, unless told to use its bundled
# copy. Every module that imports litellm lives in this package, so this default is set before any of them.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
