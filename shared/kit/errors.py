"""Errors a tool raises on purpose."""


class ToolError(Exception):
    """A tool's own, final failure (unknown ticker, project not found...).

    It is not retried: the message goes back to the caller as the reason the call failed, so write it for
    the model that will read it ("No quote for ticker 'XYZ'; known tickers: ...").
    """
