"""The machine and the versions a run measured on."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib.metadata import version

from scripts.benchmark.models import MachineInfo
from scripts.localstack import temporal_binary


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _temporal_versions() -> tuple[str, str]:
    """CLI and server versions, from ``temporal --version`` (e.g. ``1.9.1 (Server 1.32.0, UI 2.45.3)``)."""
    output = subprocess.run(
        [temporal_binary(), "--version"], capture_output=True, text=True, check=False
    ).stdout
    cli = re.search(r"version (\S+)", output)
    server = re.search(r"Server (\S+?)[,)]", output)
    return (cli.group(1) if cli else output.strip(), server.group(1) if server else "unknown")


def machine_info() -> MachineInfo:
    cli, server = _temporal_versions()
    return MachineInfo(
        cpus=os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        os=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        temporalio=version("temporalio"),
        temporal_cli=cli,
        temporal_server=server,
        litellm=version("litellm"),
    )
