"""``infrastructure/`` read with python-hcl2, no terraform needed: the root module declares every resource
with the attributes the ``temporalio/temporalcloud`` provider requires, takes every name and task queue
from the topology file the Python code reads, and keeps tokens in sensitive outputs only."""

from __future__ import annotations

import json
import re
from typing import Any

from shared.topology import TOPOLOGY_FILE, load_topology
from tests.infrastructure.helpers import (
    INFRA_DIR,
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
    "temporalcloud_service_account": {"name", "account_access", "namespace_accesses"},
    "temporalcloud_apikey": {"display_name", "owner_type", "owner_id", "expiry_time"},
}


def _root_resources() -> dict[tuple[str, str], dict[str, Any]]:
    return resources(INFRA_DIR)


def _one(rtype: str) -> dict[str, Any]:
    matches = [body for (kind, _), body in _root_resources().items() if kind == rtype]
    assert len(matches) == 1, f"expected one {rtype} block (for_each over the topology), found {len(matches)}"
    return matches[0]


def test_provider_is_temporalcloud_pinned_to_1_2_or_later_1_x() -> None:
    (terraform,) = blocks(INFRA_DIR, "terraform")
    (providers,) = terraform["required_providers"]
    assert unquote(providers["temporalcloud"]["source"]) == "temporalio/temporalcloud"
    assert unquote(providers["temporalcloud"]["version"]) == "~> 1.2"


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
    (access,) = _one("temporalcloud_service_account")["namespace_accesses"]
    assert set(access) == {"namespace_id", "permission"}


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


def test_every_endpoint_lets_the_orchestrator_call_it() -> None:
    endpoint = _one("temporalcloud_nexus_endpoint")
    assert endpoint["allowed_caller_namespaces"] == (
        "${[for part in each.value.allowed_caller_parts : temporalcloud_namespace.part[part].id]}"
    )
    module_locals = {k: v for block in blocks(TOPOLOGY_MODULE_DIR, "locals") for k, v in block.items()}
    assert module_locals["caller_local_names"] == (
        "${distinct(concat([var.topology.orchestrator.namespace], var.additional_callers))}"
    )


def test_api_keys_go_to_per_team_service_accounts_with_write_on_their_own_namespace_only() -> None:
    account = _one("temporalcloud_service_account")
    assert unquote(account["account_access"]) == "read"
    assert account["namespace_accesses"] == [
        {"namespace_id": "${temporalcloud_namespace.part[each.key].id}", "permission": '"write"'}
    ]
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


def test_outputs_give_each_namespace_id_and_grpc_address() -> None:
    value = labelled(INFRA_DIR, "output")["namespaces"]["value"]
    assert value.startswith("${{for part, ns in temporalcloud_namespace.part : part => {id = ns.id, ")
    # API-key clients use the address Cloud reports; mTLS clients the namespace's own host.
    assert 'grpc_address = var.auth_method == "api_key" ? ns.endpoints.grpc_address' in value
    assert ': "${ns.id}.tmprl.cloud:7233"' in value


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
