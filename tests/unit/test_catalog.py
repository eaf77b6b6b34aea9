"""The tool catalog: the names the model knows each tool by, and where each one runs."""

from __future__ import annotations

from finance_service.tools import build_team as finance_team
from it_service.tools import build_team as it_team
from orchestrator.catalog import ToolCatalog
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.service_directory import TeamEndpoint
from shared.contract import ToolSpec

IT = TeamEndpoint(team="it", endpoint="it-tools")
FINANCE = TeamEndpoint(team="finance", endpoint="finance-tools")


def lookup_spec(description: str) -> ToolSpec:
    return ToolSpec(
        name="lookup",
        description=description,
        input_schema={"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]},
    )


def test_local_tools_are_known_by_their_bare_names() -> None:
    catalog = ToolCatalog(LOCAL_TOOLS)

    assert catalog.names() == [tool.name for tool in LOCAL_TOOLS]


def test_a_local_tool_runs_locally_with_its_policy_and_no_endpoint() -> None:
    entry = ToolCatalog(LOCAL_TOOLS).get("calculator")

    assert entry is not None
    assert (entry.service, entry.tool, entry.endpoint) == ("local", "calculator", None)
    assert entry.policy == LOCAL_TOOLS[0].policy


def test_a_teams_tools_are_known_as_team_double_underscore_tool() -> None:
    catalog = ToolCatalog([])
    specs = finance_team().specs()
    catalog.add_service(FINANCE, specs)

    assert sorted(catalog.names()) == sorted(f"finance__{spec.name}" for spec in specs)
    assert "finance__stock_price" in catalog.names()


def test_a_remote_tool_runs_at_its_teams_endpoint_under_its_own_name() -> None:
    catalog = ToolCatalog([])
    catalog.add_service(FINANCE, finance_team().specs())

    entry = catalog.get("finance__stock_price")

    assert entry is not None
    assert (entry.service, entry.tool, entry.endpoint) == ("finance", "stock_price", "finance-tools")


def test_two_teams_tools_with_the_same_name_do_not_collide() -> None:
    catalog = ToolCatalog([])
    catalog.add_service(IT, [lookup_spec("Look up an asset.")])
    catalog.add_service(FINANCE, [lookup_spec("Look up a ledger entry.")])

    it_entry, finance_entry = catalog.get("it__lookup"), catalog.get("finance__lookup")

    assert it_entry is not None and finance_entry is not None
    assert (it_entry.endpoint, it_entry.spec.description) == ("it-tools", "Look up an asset.")
    assert (finance_entry.endpoint, finance_entry.spec.description) == (
        "finance-tools",
        "Look up a ledger entry.",
    )


def test_adding_a_team_again_replaces_its_tools() -> None:
    catalog = ToolCatalog([])
    catalog.add_service(IT, it_team().specs())

    catalog.add_service(IT, [lookup_spec("Look up an asset.")])

    assert catalog.names() == ["it__lookup"]


def test_replacing_a_teams_tools_keeps_local_tools_and_other_teams() -> None:
    catalog = ToolCatalog(LOCAL_TOOLS)
    catalog.add_service(IT, it_team().specs())
    catalog.add_service(FINANCE, finance_team().specs())
    before = catalog.names()

    catalog.add_service(IT, [])

    assert catalog.names() == [name for name in before if not name.startswith("it__")]
    assert {"calculator", "weather", "finance__stock_price"} <= set(catalog.names())


def test_an_unknown_name_is_not_in_the_catalog() -> None:
    catalog = ToolCatalog(LOCAL_TOOLS)
    catalog.add_service(IT, it_team().specs())

    assert catalog.get("get_ip") is None
    assert catalog.get("finance__stock_price") is None


def test_each_function_carries_its_tools_json_schema() -> None:
    catalog = ToolCatalog(LOCAL_TOOLS)
    specs = finance_team().specs()
    catalog.add_service(FINANCE, specs)

    parameters = {function.name: function.parameters for function in catalog.functions()}

    assert (
        parameters["finance__stock_price"] == next(s for s in specs if s.name == "stock_price").input_schema
    )
    assert parameters["calculator"] == LOCAL_TOOLS[0].spec().input_schema


def test_a_functions_description_says_what_it_does_and_who_runs_it() -> None:
    catalog = ToolCatalog(LOCAL_TOOLS)
    catalog.add_service(IT, it_team().specs())

    descriptions = {function.name: function.description for function in catalog.functions()}

    assert descriptions["it__get_ip"].startswith("Get the public IP address of the company network.")
    assert "it team" in descriptions["it__get_ip"]
    assert "locally" in descriptions["weather"]
