# The naming and routing rules of the suite on Temporal Cloud, with no provider: which namespaces exist,
# what each Nexus endpoint targets, and who may call it. The root module turns these values into
# temporalcloud resources; `terraform test` exercises the rules offline.

locals {
  orchestrator_part = "orchestrator"

  # Every part of the suite, keyed by the name the Python code and the generated profiles use.
  parts = merge(
    {
      (local.orchestrator_part) = {
        local_name = var.topology.orchestrator.namespace
        task_queue = var.topology.orchestrator.task_queue
      }
    },
    {
      for team, site in var.topology.tool_services : team => {
        local_name = site.namespace
        task_queue = site.task_queue
      }
    },
  )

  namespaces = {
    for part, site in local.parts : part => {
      local_name = site.local_name
      name       = lookup(var.cloud_namespace_names, part, site.local_name)
      task_queue = site.task_queue
    }
  }

  # Declared namespaces by their topology name, so targets and callers are resolved, never assumed.
  part_by_local_name = { for part, ns in local.namespaces : ns.local_name => part }

  caller_local_names = distinct(concat([var.topology.orchestrator.namespace], var.additional_callers))

  endpoints = {
    for team, site in var.topology.tool_services : team => {
      name                 = site.endpoint
      description          = site.description
      target_part          = lookup(local.part_by_local_name, site.namespace, null)
      task_queue           = site.task_queue
      allowed_caller_parts = [for name in local.caller_local_names : lookup(local.part_by_local_name, name, null)]
    }
  }

  cloud_names = [for ns in values(local.namespaces) : ns.name]
}
