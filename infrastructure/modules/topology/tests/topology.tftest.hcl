# Offline checks of the suite's naming and routing rules (`terraform test`, no provider, no network).
# Runs from this module's directory: the first runs read the repository's real shared/topology.json.

variables {
  topology = {
    orchestrator = { namespace = "default", task_queue = "orchestrator-q" }
    tool_services = {
      it      = { namespace = "it-ns", task_queue = "it-q", endpoint = "it-endpoint", description = "IT" }
      finance = { namespace = "finance-ns", task_queue = "finance-q", endpoint = "finance-endpoint", description = "Finance" }
    }
  }
}

run "real_topology_declares_every_part_with_its_task_queue" {
  command = plan

  variables {
    topology = jsondecode(file("../../../shared/topology.json"))
  }

  assert {
    condition     = toset(keys(output.namespaces)) == toset(concat(["orchestrator"], keys(var.topology.tool_services)))
    error_message = "There must be one namespace for the orchestrator and one for each tool team."
  }

  assert {
    condition = alltrue([
      for team, site in var.topology.tool_services :
      output.namespaces[team].name == site.namespace && output.namespaces[team].task_queue == site.task_queue
    ])
    error_message = "A tool team's Cloud namespace name or task queue differs from topology.json."
  }

  assert {
    condition     = output.namespaces["orchestrator"].name == var.topology.orchestrator.namespace && output.namespaces["orchestrator"].task_queue == var.topology.orchestrator.task_queue
    error_message = "The orchestrator's Cloud namespace name or task queue differs from topology.json."
  }
}

run "real_topology_routes_each_endpoint_to_its_team_and_lets_the_orchestrator_call" {
  command = plan

  variables {
    topology = jsondecode(file("../../../shared/topology.json"))
  }

  assert {
    condition = alltrue([
      for team, site in var.topology.tool_services :
      output.endpoints[team].name == site.endpoint
      && output.endpoints[team].target_part == team
      && output.endpoints[team].task_queue == site.task_queue
    ])
    error_message = "An endpoint's name, target namespace or target task queue differs from topology.json."
  }

  assert {
    condition     = alltrue([for ep in values(output.endpoints) : ep.allowed_caller_parts == ["orchestrator"]])
    error_message = "By default exactly the orchestrator's namespace may call every endpoint."
  }
}

run "keys_terraform_does_not_use_are_ignored" {
  command = plan

  variables {
    topology = {
      orchestrator = { namespace = "default", task_queue = "orchestrator-q", worker = "orchestrator.worker" }
      tool_services = {
        it      = { namespace = "it-ns", task_queue = "it-q", endpoint = "it-endpoint", description = "IT", worker = "it_service.worker" }
        finance = { namespace = "finance-ns", task_queue = "finance-q", endpoint = "finance-endpoint", description = "Finance", worker = "finance_service.worker" }
      }
    }
  }

  assert {
    condition     = output.namespaces["it"] == { local_name = "it-ns", name = "it-ns", task_queue = "it-q" }
    error_message = "A part's namespace must carry only its names and task queue, whatever else topology.json holds."
  }

  assert {
    condition     = output.endpoints["finance"].name == "finance-endpoint" && output.endpoints["finance"].task_queue == "finance-q"
    error_message = "An endpoint must still follow its team's endpoint name and task queue."
  }
}

run "renamed_task_queue_changes_the_endpoint_target" {
  command = plan

  variables {
    topology = {
      orchestrator = { namespace = "default", task_queue = "orchestrator-q" }
      tool_services = {
        it      = { namespace = "it-ns", task_queue = "it-q-v2", endpoint = "it-endpoint", description = "IT" }
        finance = { namespace = "finance-ns", task_queue = "finance-q", endpoint = "finance-endpoint", description = "Finance" }
      }
    }
  }

  assert {
    condition     = output.endpoints["it"].task_queue == "it-q-v2" && output.namespaces["it"].task_queue == "it-q-v2"
    error_message = "The endpoint must follow the task queue named in the topology."
  }
}

run "cloud_name_override_keeps_task_queues_and_endpoints" {
  command = plan

  variables {
    cloud_namespace_names = { orchestrator = "acme-orchestrator" }
  }

  assert {
    condition     = output.namespaces["orchestrator"].name == "acme-orchestrator" && output.namespaces["orchestrator"].local_name == "default"
    error_message = "The override must change only the Cloud name of the orchestrator's namespace."
  }

  assert {
    condition     = output.namespaces["it"].name == "it-ns" && output.endpoints["it"].name == "it-endpoint" && output.endpoints["it"].task_queue == "it-q"
    error_message = "Parts without an override keep their topology names; endpoints and task queues never change."
  }
}

run "additional_caller_is_resolved_to_its_part" {
  command = plan

  variables {
    additional_callers = ["finance-ns"]
  }

  assert {
    condition     = output.endpoints["it"].allowed_caller_parts == ["orchestrator", "finance"]
    error_message = "An additional caller must be added after the orchestrator, as the part that owns that namespace."
  }
}

run "caller_outside_the_suite_is_rejected" {
  command = plan

  variables {
    additional_callers = ["someone-elses-namespace"]
  }

  expect_failures = [output.endpoints]
}

run "override_for_unknown_part_is_rejected" {
  command = plan

  variables {
    cloud_namespace_names = { billing = "billing-ns" }
  }

  expect_failures = [output.namespaces]
}

run "override_that_collides_with_another_namespace_is_rejected" {
  command = plan

  variables {
    cloud_namespace_names = { orchestrator = "it-ns" }
  }

  expect_failures = [output.namespaces]
}

run "override_that_is_not_a_cloud_name_is_rejected" {
  command = plan

  variables {
    cloud_namespace_names = { orchestrator = "Orchestrator_NS" }
  }

  expect_failures = [var.cloud_namespace_names]
}

run "uppercase_namespace_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "Default", task_queue = "q" }
      tool_services = { it = { namespace = "it-ns", task_queue = "it-q", endpoint = "it-endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "namespace_longer_than_39_characters_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { it = { namespace = "a-namespace-name-that-is-forty-chars-xyz", task_queue = "it-q", endpoint = "it-endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "consecutive_hyphens_in_namespace_are_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { it = { namespace = "it--ns", task_queue = "it-q", endpoint = "it-endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "endpoint_name_with_underscore_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { it = { namespace = "it-ns", task_queue = "it-q", endpoint = "it_endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "endpoint_name_ending_in_hyphen_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { it = { namespace = "it-ns", task_queue = "it-q", endpoint = "it-endpoint-", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "two_teams_on_one_endpoint_are_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator = { namespace = "default", task_queue = "q" }
      tool_services = {
        it      = { namespace = "it-ns", task_queue = "it-q", endpoint = "shared-endpoint", description = "" }
        finance = { namespace = "finance-ns", task_queue = "finance-q", endpoint = "shared-endpoint", description = "" }
      }
    }
  }

  expect_failures = [var.topology]
}

run "two_parts_in_one_namespace_are_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { it = { namespace = "default", task_queue = "it-q", endpoint = "it-endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "empty_task_queue_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { it = { namespace = "it-ns", task_queue = "", endpoint = "it-endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "tool_team_named_orchestrator_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = { orchestrator = { namespace = "it-ns", task_queue = "it-q", endpoint = "it-endpoint", description = "" } }
    }
  }

  expect_failures = [var.topology]
}

run "topology_without_tool_services_is_rejected" {
  command = plan

  variables {
    topology = {
      orchestrator  = { namespace = "default", task_queue = "q" }
      tool_services = {}
    }
  }

  expect_failures = [var.topology]
}
