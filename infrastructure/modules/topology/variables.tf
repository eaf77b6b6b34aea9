variable "topology" {
  description = <<-EOT
    The suite's topology, exactly as shared/topology.json holds it (the root module passes
    jsondecode(file(...)) of that file). The Python workers read the same file, so the names and task
    queues Terraform creates cannot drift from the ones the code polls. Keys the Cloud resources do not
    need (such as each part's "worker", the Python module that runs it) are accepted and dropped by the
    type conversion below, so the file can grow without a Terraform change.
  EOT
  type = object({
    orchestrator = object({
      namespace  = string
      task_queue = string
    })
    tool_services = map(object({
      namespace   = string
      task_queue  = string
      endpoint    = string
      description = string
    }))
  })

  validation {
    condition     = length(var.topology.tool_services) > 0
    error_message = "The topology declares no tool service: there would be no Nexus endpoint to create."
  }

  validation {
    condition     = !contains(keys(var.topology.tool_services), "orchestrator")
    error_message = "\"orchestrator\" is reserved for the caller; a tool team cannot use that name."
  }

  validation {
    condition = alltrue([
      for name in concat([var.topology.orchestrator.namespace], [for s in values(var.topology.tool_services) : s.namespace]) :
      length(name) >= 2 && length(name) <= 39 && can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", name))
    ])
    error_message = "Every namespace name must be a valid Temporal Cloud name: 2-39 characters, lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit."
  }

  validation {
    condition     = length(distinct(concat([var.topology.orchestrator.namespace], [for s in values(var.topology.tool_services) : s.namespace]))) == length(var.topology.tool_services) + 1
    error_message = "Every part of the suite needs its own namespace: two parts declare the same one."
  }

  validation {
    condition = alltrue([
      for s in values(var.topology.tool_services) : can(regex("^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$", s.endpoint))
    ])
    error_message = "Every Nexus endpoint name must match ^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$."
  }

  validation {
    condition     = length(distinct([for s in values(var.topology.tool_services) : s.endpoint])) == length(var.topology.tool_services)
    error_message = "Nexus endpoint names must be unique within a Temporal Cloud account: two tool teams declare the same endpoint."
  }

  validation {
    condition = alltrue([
      for q in concat([var.topology.orchestrator.task_queue], [for s in values(var.topology.tool_services) : s.task_queue]) :
      length(trimspace(q)) > 0 && trimspace(q) == q
    ])
    error_message = "Every task queue must be a non-empty name without surrounding whitespace."
  }
}

variable "cloud_namespace_names" {
  description = <<-EOT
    Optional Temporal Cloud namespace name per part ("orchestrator" or a tool team), for when the name in
    topology.json is taken in the account or must carry an environment prefix. Parts not listed keep their
    topology name. Task queues and endpoint names always come from the topology.
  EOT
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for name in values(var.cloud_namespace_names) :
      length(name) >= 2 && length(name) <= 39 && can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", name))
    ])
    error_message = "cloud_namespace_names values must be valid Temporal Cloud names: 2-39 characters, lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit."
  }
}

variable "additional_callers" {
  description = <<-EOT
    Bare namespace names (as in topology.json) that may call every tool team's endpoint besides the
    orchestrator's. Temporal Cloud lets no namespace call an endpoint unless it is listed, so the
    orchestrator's namespace is always included; anything added here must be a namespace of this suite.
  EOT
  type        = list(string)
  default     = []
}
