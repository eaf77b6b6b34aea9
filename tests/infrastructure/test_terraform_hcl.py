"""``infrastructure/`` read with python-hcl2, no terraform needed: the root module declares every resource
with the attributes the ``temporalio/temporalcloud`` provider (1.5.0) requires, takes every name and task
queue from the topology file the Python code reads, and keeps tokens in sensitive outputs only.

Where a check mirrors the provider, the comment names the file of the provider's v1.5.0 source it follows.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from orchestrator.search_attributes import CHAT_SEARCH_ATTRIBUTES
from shared.topology import TOPOLOGY_FILE, load_topology
from tests.infrastructure.helpers import (
    INFRA_DIR,
    PROVIDER_SOURCE,
    PROVIDER_VERSION,
    REPO_ROOT,
    TOPOLOGY_MODULE_DIR,
    blocks,
    labelled,
    load_hcl,
    resources,
    unquote,
)

# Attributes each resource must set, from the provider's docs (Required, plus what this suite relies on).
REQUIRED_ATTRIBUTES: dict[str, set[str]] = {
    "temporalcloud_namespace": {"name", "regions", "retention_days", "api_key_auth", "accepted_client_ca"},
    "temporalcloud_nexus_endpoint": {"name", "worker_target", "allowed_caller_namespaces"},
    "temporalcloud_service_account": {"name", "namespace_scoped_access"},
    "temporalcloud_apikey": {"display_name", "owner_type", "owner_id", "expiry_time"},
    "temporalcloud_namespace_search_attribute": {"namespace_id", "name", "type"},
}

# internal/provider/validators/region_validator.go at v1.5.0: the format every `regions` entry must match.
PROVIDER_REGION_PATTERN = "^(aws|gcp)-[a-z0-9-]+$"


def _root_resources() -> dict[tuple[str, str], dict[str, Any]]:
    return resources(INFRA_DIR)


def _one(rtype: str) -> dict[str, Any]:
    matches = [body for (kind, _), body in _root_resources().items() if kind == rtype]
    assert len(matches) == 1, f"expected one {rtype} block (for_each over the topology), found {len(matches)}"
    return matches[0]


def _pinned_provider() -> dict[str, Any]:
    (terraform,) = blocks(INFRA_DIR, "terraform")
    (providers,) = terraform["required_providers"]
    return providers["temporalcloud"]


def test_provider_is_temporalcloud_pinned_to_exactly_the_checked_release() -> None:
    provider = _pinned_provider()
    assert unquote(provider["source"]) == PROVIDER_SOURCE
    # A bare version is an exact constraint: no `~>`, `>=` or range lets `init -upgrade` drift.
    assert unquote(provider["version"]) in {PROVIDER_VERSION, f"= {PROVIDER_VERSION}"}


def test_provider_refuses_an_api_key_of_another_account() -> None:
    # internal/provider/provider.go at v1.5.0: `allowed_account_id` (string) is compared with the account
    # of the API key when the provider is configured, before any plan or apply.
    (provider,) = [body for block in blocks(INFRA_DIR, "provider") for name, body in block.items()]
    assert provider["allowed_account_id"] == "${var.temporal_cloud_account_id}"
    assert "api_key" not in provider, "the provisioning key comes from TEMPORAL_CLOUD_API_KEY only"

    account = labelled(INFRA_DIR, "variable")["temporal_cloud_account_id"]
    assert "default" not in account, "the account id must be required, or the guard is off by default"
    assert account["nullable"] is False, "null would switch the provider's account check off"
    (validation,) = account["validation"]
    assert "var.temporal_cloud_account_id" in validation["condition"]


def test_every_provider_resource_sets_its_required_attributes() -> None:
    found = {rtype for rtype, _ in _root_resources()}
    assert found == set(REQUIRED_ATTRIBUTES)
    for (rtype, name), body in _root_resources().items():
        missing = REQUIRED_ATTRIBUTES[rtype] - body.keys()
        assert not missing, f"{rtype}.{name} lacks {sorted(missing)}"


def test_nested_provider_attributes_use_attribute_syntax() -> None:
    # The provider declares these as nested attributes: `worker_target { ... }` (a block) would not plan.
    endpoint = _one("temporalcloud_nexus_endpoint")
    assert isinstance(endpoint["worker_target"], dict) and "__is_block__" not in endpoint["worker_target"]
    assert set(endpoint["worker_target"]) == {"namespace_id", "task_queue"}
    namespace = _one("temporalcloud_namespace")
    assert namespace["namespace_lifecycle"] == {"enable_delete_protection": "${var.delete_protection}"}
    # internal/provider/service_account_resource.go at v1.5.0: a SingleNestedAttribute.
    access = _one("temporalcloud_service_account")["namespace_scoped_access"]
    assert isinstance(access, dict) and "__is_block__" not in access
    assert set(access) == {"namespace_id", "permission"}


def test_every_namespace_gets_the_codec_server_of_the_variable_when_it_is_set() -> None:
    # namespace_resource.go at v1.5.0: `codec_server` is a SingleNestedAttribute (endpoint required).
    codec_server = _one("temporalcloud_namespace")["codec_server"]
    assert isinstance(codec_server, str) and "__is_block__" not in codec_server
    assert codec_server.startswith('${local.codec_server_endpoint == "" ? null : {')
    for attribute, value in {
        "endpoint": "local.codec_server_endpoint",
        "pass_access_token": "var.codec_server_pass_access_token",
        "include_cross_origin_credentials": "var.codec_server_include_cross_origin_credentials",
    }.items():
        assert re.search(rf"{attribute}\s*=\s*{re.escape(value)}", codec_server), attribute
    module_locals = {k: v for block in blocks(INFRA_DIR, "locals") for k, v in block.items()}
    assert module_locals["codec_server_endpoint"] == '${trimspace(coalesce(var.codec_server_endpoint, " "))}'
    variable = labelled(INFRA_DIR, "variable")["codec_server_endpoint"]
    assert variable["default"] is None, "no codec server unless one is named"


def test_root_module_reads_the_topology_file_the_python_code_reads() -> None:
    (module_block,) = blocks(INFRA_DIR, "module")
    topology_call = module_block['"topology"']
    assert unquote(topology_call["source"]) == "./modules/topology"
    match = re.fullmatch(
        r'\$\{jsondecode\(file\("\$\{path\.module\}/(?P<path>[^"]+)"\)\)\}', topology_call["topology"]
    )
    assert match, (
        f"topology must be jsondecode(file(...)) of the shared file, got {topology_call['topology']}"
    )
    assert (INFRA_DIR / match["path"]).resolve() == TOPOLOGY_FILE.resolve()


def test_namespaces_endpoints_and_task_queues_come_from_the_topology_module() -> None:
    locals_block = {k: v for block in blocks(INFRA_DIR, "locals") for k, v in block.items()}
    assert locals_block["namespaces"] == "${module.topology.namespaces}"
    assert locals_block["endpoints"] == "${module.topology.endpoints}"

    namespace = _one("temporalcloud_namespace")
    assert namespace["for_each"] == "${local.namespaces}"
    assert namespace["name"] == "${each.value.name}"

    endpoint = _one("temporalcloud_nexus_endpoint")
    assert endpoint["for_each"] == "${local.endpoints}"
    assert endpoint["name"] == "${each.value.name}"
    assert endpoint["worker_target"] == {
        "namespace_id": "${temporalcloud_namespace.part[each.value.target_part].id}",
        "task_queue": "${each.value.task_queue}",
    }


def test_topology_module_derives_names_and_task_queues_from_its_topology_input() -> None:
    module_locals = {k: v for block in blocks(TOPOLOGY_MODULE_DIR, "locals") for k, v in block.items()}
    parts = json.dumps(module_locals["parts"])
    assert "var.topology.orchestrator.task_queue" in parts
    assert "site.task_queue" in parts and "var.topology.tool_services" in parts
    endpoints = json.dumps(module_locals["endpoints"])
    assert "site.endpoint" in endpoints and "site.task_queue" in endpoints


def test_no_tf_file_repeats_a_name_from_the_topology() -> None:
    # A copy of a queue or namespace name in HCL would drift the day topology.json changes.
    topology = load_topology()
    names = {topology.orchestrator.namespace, topology.orchestrator.task_queue}
    for site in topology.tool_services.values():
        names |= {site.namespace, site.task_queue, site.endpoint}
    for path in [*INFRA_DIR.rglob("*.tf"), *INFRA_DIR.rglob("*.tfvars.example")]:
        literals = set(re.findall(r'"([^"$]*)"', path.read_text()))
        assert not names & literals, f"{path.relative_to(INFRA_DIR)} hard-codes {sorted(names & literals)}"


def test_the_orchestrators_namespace_declares_every_search_attribute_the_chat_upserts() -> None:
    # namespace_search_attribute_resource.go at v1.5.0: `type` is one of bool, datetime, double, int,
    # keyword, keyword_list or text, the SDK's indexed value type in lower case.
    attribute = _one("temporalcloud_namespace_search_attribute")
    assert (
        attribute["namespace_id"] == "${temporalcloud_namespace.part[module.topology.orchestrator_part].id}"
    )
    assert (attribute["for_each"], attribute["name"], attribute["type"]) == (
        "${local.chat_search_attributes}",
        "${each.key}",
        "${each.value}",
    )
    module_locals = {k: v for block in blocks(INFRA_DIR, "locals") for k, v in block.items()}
    declared = {name: unquote(kind) for name, kind in module_locals["chat_search_attributes"].items()}
    assert declared == {key.name: key.indexed_value_type.name.lower() for key in CHAT_SEARCH_ATTRIBUTES}


def test_every_endpoint_lets_the_orchestrator_call_it() -> None:
    endpoint = _one("temporalcloud_nexus_endpoint")
    assert endpoint["allowed_caller_namespaces"] == (
        "${[for part in each.value.allowed_caller_parts : temporalcloud_namespace.part[part].id]}"
    )
    module_locals = {k: v for block in blocks(TOPOLOGY_MODULE_DIR, "locals") for k, v in block.items()}
    assert module_locals["caller_local_names"] == (
        "${distinct(concat([var.topology.orchestrator.namespace], var.additional_callers))}"
    )


def test_each_part_gets_a_service_account_scoped_to_its_own_namespace_with_write() -> None:
    account = _one("temporalcloud_service_account")
    assert account["namespace_scoped_access"] == {
        "namespace_id": "${temporalcloud_namespace.part[each.key].id}",
        "permission": '"write"',
    }
    # The provider rejects these beside namespace_scoped_access, and any of them would reach past the
    # part's namespace (service_account_resource.go at v1.5.0, ConflictsWith validators).
    assert not {"account_access", "account_access_custom_roles", "namespace_accesses"} & account.keys()


def test_every_part_including_the_orchestrator_gets_an_account_with_api_keys() -> None:
    module_locals = {k: v for block in blocks(INFRA_DIR, "locals") for k, v in block.items()}
    # local.namespaces holds the orchestrator and every tool team (modules/topology).
    assert module_locals["key_teams"] == '${var.auth_method == "api_key" ? local.namespaces : {}}'
    assert _one("temporalcloud_service_account")["for_each"] == "${local.key_teams}"


def test_api_keys_are_owned_by_the_parts_service_accounts() -> None:
    account = _one("temporalcloud_service_account")
    key = _one("temporalcloud_apikey")
    assert key["for_each"] == account["for_each"] == "${local.key_teams}"
    assert unquote(key["owner_type"]) == "service-account"
    assert key["owner_id"] == "${temporalcloud_service_account.team[each.key].id}"
    assert key["expiry_time"] == "${var.api_key_expiry}"


def test_namespace_auth_is_api_key_by_default_with_mtls_as_an_option() -> None:
    variables = labelled(INFRA_DIR, "variable")
    assert unquote(variables["auth_method"]["default"]) == "api_key"
    namespace = _one("temporalcloud_namespace")
    assert namespace["api_key_auth"] == '${var.auth_method == "api_key"}'
    assert "base64encode(var.client_ca_pem)" in namespace["accepted_client_ca"]


def test_tokens_appear_only_in_sensitive_outputs() -> None:
    outputs = labelled(INFRA_DIR, "output")
    with_tokens = {name for name, body in outputs.items() if ".token" in json.dumps(body["value"])}
    assert with_tokens == {"api_keys"}
    assert all(outputs[name].get("sensitive") is True for name in with_tokens)


def test_outputs_give_each_namespace_id_and_the_grpc_address_cloud_reports() -> None:
    value = labelled(INFRA_DIR, "output")["namespaces"]["value"]
    assert value.startswith("${{for part, ns in temporalcloud_namespace.part : part => {id = ns.id, ")
    # namespace_resource.go at v1.5.0: the computed `endpoints` holds grpc_address (API keys) and
    # mtls_grpc_address (mTLS); no address is built by hand.
    assert (
        'grpc_address = var.auth_method == "api_key" ? ns.endpoints.grpc_address'
        " : ns.endpoints.mtls_grpc_address}"
    ) in value
    assert "tmprl.cloud" not in (INFRA_DIR / "outputs.tf").read_text()


def _region_patterns() -> dict[str, str]:
    variables = labelled(INFRA_DIR, "variable")
    patterns = {}
    for name in ("default_region", "namespace_regions"):
        (validation,) = variables[name]["validation"]
        match = re.search(r'regex\("(?P<pattern>[^"]+)"', validation["condition"])
        assert match, f"{name}'s validation does not check the region with regex(): {validation['condition']}"
        patterns[name] = match["pattern"].replace("\\\\", "\\")  # undo HCL's string escaping
    return patterns


def test_region_validations_use_the_providers_region_format() -> None:
    assert _region_patterns() == dict.fromkeys(
        ("default_region", "namespace_regions"), PROVIDER_REGION_PATTERN
    )


@pytest.mark.parametrize("region", ["azure-eastus", "us-east-1", "AWS-us-east-1", "aws_us_east_1"])
def test_region_validations_reject_what_the_provider_rejects(region: str) -> None:
    for name, pattern in _region_patterns().items():
        assert not re.search(pattern, region), (
            f"{name} accepts {region!r}, which provider 1.5.0 rejects at plan"
        )


@pytest.mark.parametrize("region", ["aws-us-east-1", "aws-eu-west-1", "gcp-us-central1"])
def test_region_validations_accept_aws_and_gcp_regions(region: str) -> None:
    for name, pattern in _region_patterns().items():
        assert re.search(pattern, region), f"{name} rejects {region!r}"


def test_every_variable_is_typed_and_documented() -> None:
    for module_dir in (INFRA_DIR, TOPOLOGY_MODULE_DIR):
        for name, body in labelled(module_dir, "variable").items():
            assert body.get("type"), f"variable {name} in {module_dir.name} has no type"
            assert len(unquote(body.get("description", ""))) > 20, f"variable {name} is not documented"


def test_example_tfvars_sets_only_declared_variables_and_no_secret() -> None:
    example = INFRA_DIR / "terraform.tfvars.example"
    assigned = set(load_hcl(example)) - {"__comments__"}
    assert assigned and assigned <= set(labelled(INFRA_DIR, "variable"))
    assert not re.search(r"(?i)(api_key|token|secret|password)\s*=", example.read_text())


def test_state_and_provider_cache_are_ignored_by_git() -> None:
    ignored = (INFRA_DIR / ".gitignore").read_text().split()
    assert {"*.tfstate", "*.tfstate.*", ".terraform/", "*.tfvars"} <= set(ignored)


def _git_ignores(path: str) -> bool:
    git = shutil.which("git")
    if git is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout: there is no ignore rule to check")
    result = subprocess.run(
        [git, "check-ignore", "--quiet", "--no-index", path],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


def test_git_keeps_the_lock_file_and_ignores_state() -> None:
    assert not _git_ignores("infrastructure/.terraform.lock.hcl")
    assert _git_ignores("infrastructure/terraform.tfstate")
