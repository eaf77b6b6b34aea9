output "auth_method" {
  description = "How workers authenticate: \"api_key\" or \"mtls\"."
  value       = var.auth_method
}

output "account_id" {
  description = "The Temporal Cloud account id, the suffix of every namespace id."
  value       = one(distinct([for ns in temporalcloud_namespace.part : split(".", ns.id)[1]]))
}

output "namespaces" {
  description = "Per part: the namespace id (<name>.<account>), its name, the gRPC address workers connect to (the namespace's API-key or mTLS endpoint, as Cloud reports it), and the task queue its worker polls."
  value = {
    for part, ns in temporalcloud_namespace.part : part => {
      id         = ns.id
      name       = ns.name
      task_queue = local.namespaces[part].task_queue
      # Cloud reports one address per auth method (the other is empty when that method is off).
      grpc_address = var.auth_method == "api_key" ? ns.endpoints.grpc_address : ns.endpoints.mtls_grpc_address
    }
  }
}

output "nexus_endpoints" {
  description = "Per tool team: the endpoint's name and id, the namespace id and task queue it targets, and the namespace ids allowed to call it."
  value = {
    for team, ep in temporalcloud_nexus_endpoint.tool : team => {
      id                        = ep.id
      name                      = ep.name
      target_namespace_id       = ep.worker_target.namespace_id
      task_queue                = ep.worker_target.task_queue
      allowed_caller_namespaces = sort(tolist(ep.allowed_caller_namespaces))
    }
  }
}

output "service_accounts" {
  description = "Per team: the id of the service account that owns the team's API key (empty with mTLS)."
  value       = { for team, sa in temporalcloud_service_account.team : team => sa.id }
}

output "api_keys" {
  description = "Per team: the API key token its worker authenticates with. Sensitive: hand each team only its own (scripts/cloud_profiles --team)."
  value       = { for team, key in temporalcloud_apikey.team : team => key.token }
  sensitive   = true
}
