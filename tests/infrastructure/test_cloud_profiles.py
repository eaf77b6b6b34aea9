"""``scripts/cloud_profiles`` (``shared.cloud_profiles``): Terraform outputs in, ``temporalio.envconfig``
profiles out."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from temporalio.envconfig import ClientConfig, ClientConfigProfile

from harness.server import REPO_ROOT
from shared.cloud_profiles import (
    ProfileError,
    build_profiles,
    parse_terraform_output,
    render_toml,
)
from shared.topology import load_topology

ACCOUNT = "a1b2c"
API_ADDRESS = "us-east-1.aws.api.temporal.io:7233"


def _terraform_output(auth_method: str = "api_key", **overrides: Any) -> dict[str, Any]:
    """What `terraform output -json` prints for infrastructure/ after an apply, for the real topology."""
    topology = load_topology()
    names = {"orchestrator": topology.orchestrator.namespace} | {
        team: site.namespace for team, site in topology.tool_services.items()
    }
    namespaces = {
        part: {
            "id": f"{name}.{ACCOUNT}",
            "name": name,
            "task_queue": "ignored-here",
            "grpc_address": API_ADDRESS if auth_method == "api_key" else f"{name}.{ACCOUNT}.tmprl.cloud:7233",
        }
        for part, name in names.items()
    }
    keys = {part: f"token-of-{part}" for part in names} if auth_method == "api_key" else {}
    values: dict[str, Any] = {
        "auth_method": auth_method,
        "account_id": ACCOUNT,
        "namespaces": namespaces,
        "api_keys": keys,
        "nexus_endpoints": {},
    } | overrides
    return {
        name: {"sensitive": name == "api_keys", "type": "dynamic", "value": value}
        for name, value in values.items()
    }


def _write_tf_output(tmp_path: Path, output: dict[str, Any]) -> Path:
    path = tmp_path / "tf-output.json"
    path.write_text(json.dumps(output))
    return path


def run_script(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``scripts/cloud_profiles ARGUMENTS`` (``python -m shared.cloud_profiles``), as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "shared.cloud_profiles", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_each_part_gets_a_profile_with_its_cloud_namespace_id_and_own_key() -> None:
    profiles = build_profiles(parse_terraform_output(_terraform_output()), load_topology())

    topology = load_topology()
    assert list(profiles) == ["orchestrator", *sorted(topology.tool_services)]
    assert profiles["it"] == {
        "address": API_ADDRESS,
        "namespace": f"{topology.tool_service('it').namespace}.{ACCOUNT}",
        "api_key": "token-of-it",
    }
    assert profiles["orchestrator"]["namespace"] == f"{topology.orchestrator.namespace}.{ACCOUNT}"


def test_team_option_writes_only_that_teams_key(tmp_path: Path) -> None:
    out = tmp_path / "it.toml"
    tf_output = _write_tf_output(tmp_path, _terraform_output())

    assert run_script("--tf-output", str(tf_output), "--team", "it", "-o", str(out)).returncode == 0

    text = out.read_text()
    assert "token-of-it" in text
    assert "token-of-finance" not in text and "token-of-orchestrator" not in text
    assert set(ClientConfig.load(config_source=out, config_file_strict=True).profiles) == {"it"}


def test_written_file_is_private_and_loads_as_envconfig_profiles(tmp_path: Path) -> None:
    out = tmp_path / "profiles.toml"
    out.write_text("stale")
    out.chmod(0o644)
    tf_output = _write_tf_output(tmp_path, _terraform_output())

    assert run_script("--tf-output", str(tf_output), "-o", str(out)).returncode == 0

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    profile = ClientConfigProfile.load("finance", config_source=out, disable_env=True)
    connect = profile.to_client_connect_config()
    assert connect["target_host"] == API_ADDRESS
    assert connect["namespace"] == f"{load_topology().tool_service('finance').namespace}.{ACCOUNT}"
    assert connect["api_key"] == "token-of-finance"
    assert connect["tls"] is True


def test_profile_is_selected_by_temporal_profile_and_config_file_variables(tmp_path: Path) -> None:
    out = tmp_path / "profiles.toml"
    assert (
        run_script(
            "--tf-output", str(_write_tf_output(tmp_path, _terraform_output())), "-o", str(out)
        ).returncode
        == 0
    )

    connect = ClientConfig.load_client_connect_config(
        override_env_vars={"TEMPORAL_CONFIG_FILE": str(out), "TEMPORAL_PROFILE": "orchestrator"}
    )

    assert connect["api_key"] == "token-of-orchestrator"


def test_mtls_profiles_point_at_each_teams_certificate(tmp_path: Path) -> None:
    deployment = parse_terraform_output(_terraform_output("mtls"))

    profiles = build_profiles(deployment, load_topology(), teams=["it"], mtls_cert_dir=tmp_path)

    assert profiles["it"]["tls"] == {
        "client_cert_path": str(tmp_path / "it.pem"),
        "client_key_path": str(tmp_path / "it.key"),
    }
    assert "api_key" not in profiles["it"]
    assert profiles["it"]["address"].endswith(".tmprl.cloud:7233")


def test_mtls_without_certificate_directory_is_refused() -> None:
    with pytest.raises(ProfileError, match="--mtls-cert-dir"):
        build_profiles(parse_terraform_output(_terraform_output("mtls")), load_topology())


def test_unknown_team_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"Unknown team\(s\) billing; the topology has: orchestrator"):
        build_profiles(parse_terraform_output(_terraform_output()), load_topology(), teams=["billing"])


def test_team_added_to_the_topology_but_not_applied_is_reported() -> None:
    output = _terraform_output()
    del output["namespaces"]["value"]["finance"]

    with pytest.raises(ProfileError, match=r"no namespace for finance.*apply again"):
        build_profiles(parse_terraform_output(output), load_topology())


def test_namespace_id_that_is_not_name_plus_account_is_refused() -> None:
    output = _terraform_output()
    output["namespaces"]["value"]["it"]["id"] = "it-namespace.zzzzz"

    with pytest.raises(ProfileError, match=re.escape("is not 'it-namespace.a1b2c'")):
        build_profiles(parse_terraform_output(output), load_topology())


def test_output_without_apply_is_explained(tmp_path: Path) -> None:
    empty = _write_tf_output(tmp_path, {})

    run = run_script("--tf-output", str(empty), "-o", str(tmp_path / "x.toml"))

    assert run.returncode == 1
    assert "run `terraform apply` in infrastructure/ first" in run.stderr
    assert not (tmp_path / "x.toml").exists()


def test_toml_strings_are_escaped() -> None:
    text = render_toml({"it": {"address": 'a"b\\c', "namespace": "n", "tls": {"disabled": False}}})

    assert tomllib.loads(text) == {
        "profile": {"it": {"address": 'a"b\\c', "namespace": "n", "tls": {"disabled": False}}}
    }
