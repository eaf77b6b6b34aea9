"""Encrypted payloads: every payload a client or worker of this suite writes to Temporal is encrypted with
AES-256-GCM under the newest key of a key file (``PAYLOAD_KEYS_FILE``), and any key of that file decrypts.

- ``keyring``: the key file (create, rotate, read) and the keys it holds.
- ``codec``: the ``PayloadCodec`` that encrypts and decrypts payloads.
- ``settings``: the one place the settings are read, and what a worker says about them when it starts.
- ``codec_server`` (with ``codec_auth``): the remote codec the Temporal UI and the ``temporal`` CLI decode with.

``python -m shared.encryption`` creates or rotates a key file and lists its key ids.
"""
