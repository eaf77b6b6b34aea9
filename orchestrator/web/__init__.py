"""The web chat: one page in a browser over the same ``Conversation`` client the terminal chat uses.

``python -m orchestrator.web`` serves it (``web_settings`` for its flags, ``app`` for the server, ``page.html``
for the page itself: inline CSS and JavaScript, no build step, nothing fetched from elsewhere).
"""
