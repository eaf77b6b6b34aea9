output "namespaces" {
  description = "Each part (\"orchestrator\" and every tool team) with its Cloud namespace name, its topology name and the task queue its worker polls."
  value       = local.namespaces

  precondition {
    condition     = length(setsubtract(keys(var.cloud_namespace_names), keys(local.parts))) == 0
    error_message = "cloud_namespace_names names a part the topology does not have: ${join(", ", setsubtract(keys(var.cloud_namespace_names), keys(local.parts)))}. Known parts: ${join(", ", keys(local.parts))}."
  }

  precondition {
    condition     = length(distinct(local.cloud_names)) == length(local.cloud_names)
    error_message = "Two parts would get the same Temporal Cloud namespace name: ${join(", ", local.cloud_names)}."
  }
}

output "endpoints" {
  description = "Each tool team's Nexus endpoint: its name, the part whose namespace and task queue it targets, and the parts allowed to call it."
  value       = local.endpoints

  precondition {
    condition     = alltrue([for ep in values(local.endpoints) : ep.target_part != null])
    error_message = "A Nexus endpoint targets a namespace the topology does not declare."
  }

  precondition {
    condition     = alltrue(flatten([for ep in values(local.endpoints) : [for part in ep.allowed_caller_parts : part != null]]))
    error_message = "additional_callers lists a namespace that is not part of this suite: ${join(", ", [for n in local.caller_local_names : n if !contains(keys(local.part_by_local_name), n)])}."
  }

  precondition {
    condition     = alltrue([for ep in values(local.endpoints) : contains(ep.allowed_caller_parts, local.orchestrator_part)])
    error_message = "Every endpoint must let the orchestrator's namespace call it (Temporal Cloud allows no caller by default)."
  }
}

output "orchestrator_part" {
  description = "The key of the caller part in `namespaces`."
  value       = local.orchestrator_part
}
