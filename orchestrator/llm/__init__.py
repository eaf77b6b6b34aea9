"""The model side of the agent: the LLM activity (litellm) and the offline model that runs inside litellm."""
