# The suite on Temporal Cloud: one namespace per part, one Nexus endpoint per tool team, and one
# service account and API key per team. Every name and task queue comes from shared/topology.json,
# the file the Python workers read, through the provider-free module in modules/topology.

module "topology" {
  source = "./modules/topology"

  topology              = jsondecode(file("${path.module}/../shared/topology.json"))
  cloud_namespace_names = var.cloud_namespace_names
  additional_callers    = var.additional_callers
}

locals {
  namespaces = module.topology.namespaces
  endpoints  = module.topology.endpoints

  # API keys only authenticate to namespaces with API-key auth; mTLS teams bring certificates instead.
  key_teams = var.auth_method == "api_key" ? local.namespaces : {}

  # null and "" both mean: no codec server.
  codec_server_endpoint = trimspace(coalesce(var.codec_server_endpoint, " "))

  # The chat's custom search attributes (orchestrator/search_attributes.py): the chat workflow upserts them,
  # and a workflow that upserts an attribute its namespace lacks fails its task.
  chat_search_attributes = {
    ChatUser   = "keyword"
    ChatStatus = "keyword"
    ChatTools  = "keyword_list"
    ChatModel  = "keyword"
  }
}

resource "temporalcloud_namespace" "part" {
  for_each = local.namespaces

  name           = each.value.name
  regions        = [lookup(var.namespace_regions, each.key, var.default_region)]
  retention_days = var.retention_days

  # API-key auth by default; with mTLS the namespace trusts the given CA (the provider wants it base64).
  api_key_auth       = var.auth_method == "api_key"
  accepted_client_ca = var.auth_method == "mtls" && var.client_ca_pem != null ? base64encode(var.client_ca_pem) : null

  namespace_lifecycle = {
    enable_delete_protection = var.delete_protection
  }

  # The codec server the Cloud UI decodes encrypted payloads with (shared/encryption/codec_server.py, run
  # by the operator behind https with the suite's key file); none unless codec_server_endpoint is set.
  codec_server = local.codec_server_endpoint == "" ? null : {
    endpoint                         = local.codec_server_endpoint
    pass_access_token                = var.codec_server_pass_access_token
    include_cross_origin_credentials = var.codec_server_include_cross_origin_credentials
  }

  lifecycle {
    precondition {
      condition     = var.auth_method != "mtls" || try(length(trimspace(var.client_ca_pem)) > 0, false)
      error_message = "auth_method = \"mtls\" needs client_ca_pem: the PEM of the CA that issues the workers' client certificates."
    }
  }
}

# `python -m orchestrator.chats list` finds chats by these. Cloud cannot delete a search attribute: removing
# one here only drops it from the state.
resource "temporalcloud_namespace_search_attribute" "chat" {
  for_each = local.chat_search_attributes

  namespace_id = temporalcloud_namespace.part[module.topology.orchestrator_part].id
  name         = each.key
  type         = each.value
}

resource "temporalcloud_nexus_endpoint" "tool" {
  for_each = local.endpoints

  name        = each.value.name
  description = each.value.description

  worker_target = {
    namespace_id = temporalcloud_namespace.part[each.value.target_part].id
    task_queue   = each.value.task_queue
  }

  # Temporal Cloud lets no namespace call an endpoint unless it is listed here.
  allowed_caller_namespaces = [for part in each.value.allowed_caller_parts : temporalcloud_namespace.part[part].id]
}

# One identity per part, scoped to that part's namespace and nothing else: no account role, so its key
# cannot list or read the account's other namespaces, users or endpoints. "write" is what a worker
# needs (poll its task queues, complete tasks) and what the orchestrator's chat needs to start
# workflows; the orchestrator reaches the tool teams through Nexus, which Cloud authorises by the
# endpoints' allowed caller namespaces, not by the caller's key.
resource "temporalcloud_service_account" "team" {
  for_each = local.key_teams

  name        = "${var.name_prefix}-${each.key}-worker"
  description = "Worker identity of the ${each.key} team; write on namespace ${each.value.name} only."

  # Fixed at creation: pointing an account at another namespace replaces it (and its API key).
  namespace_scoped_access = {
    namespace_id = temporalcloud_namespace.part[each.key].id
    permission   = "write"
  }
}

resource "temporalcloud_apikey" "team" {
  for_each = local.key_teams

  display_name = "${var.name_prefix}-${each.key}-worker"
  description  = "Worker key of the ${each.key} team; opens namespace ${each.value.name} only."
  owner_type   = "service-account"
  owner_id     = temporalcloud_service_account.team[each.key].id
  expiry_time  = var.api_key_expiry

  lifecycle {
    precondition {
      condition     = var.api_key_expiry != null
      error_message = "Set api_key_expiry (an RFC 3339 UTC time such as \"2027-12-31T00:00:00Z\") to create the teams' API keys."
    }
  }
}
