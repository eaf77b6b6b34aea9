variable "temporal_cloud_account_id" {
  description = "Id of the Temporal Cloud account this deployment belongs to (the suffix of every namespace id, e.g. \"a1b2c\" in \"it-namespace.a1b2c\"). The provider refuses to plan or apply with a TEMPORAL_CLOUD_API_KEY of any other account."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.temporal_cloud_account_id))
    error_message = "temporal_cloud_account_id must be the bare account id (lowercase letters and digits, e.g. \"a1b2c\"): the part after the dot of a namespace id, not a namespace id or an account name."
  }
}

variable "default_region" {
  description = "Temporal Cloud region for every namespace without an entry in namespace_regions, provider-prefixed: \"aws-...\" or \"gcp-...\" (e.g. \"aws-us-east-1\", \"gcp-us-central1\"). Provider 1.5.0 accepts no other cloud."
  type        = string
  default     = "aws-us-east-1"

  validation {
    condition     = can(regex("^(aws|gcp)-[a-z0-9-]+$", var.default_region))
    error_message = "default_region must be an AWS or GCP Temporal Cloud region with its prefix, such as \"aws-us-east-1\" or \"gcp-us-central1\" (temporalcloud provider 1.5.0 rejects any other)."
  }
}

variable "namespace_regions" {
  description = "Region (\"aws-...\" or \"gcp-...\") per part (\"orchestrator\", \"it\", \"finance\", ...) that should not use default_region. A region cannot change after the namespace exists."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.namespace_regions) : can(regex("^(aws|gcp)-[a-z0-9-]+$", r))])
    error_message = "Every namespace_regions value must be an AWS or GCP Temporal Cloud region with its prefix, such as \"aws-eu-west-1\" or \"gcp-europe-west3\" (temporalcloud provider 1.5.0 rejects any other)."
  }
}

variable "retention_days" {
  description = "Days Temporal Cloud keeps the history of closed workflows, for every namespace."
  type        = number
  default     = 7

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 90 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number of days from 1 to 90."
  }
}

variable "delete_protection" {
  description = "Turn on Temporal Cloud's delete protection for every namespace. While it is on, `terraform destroy` of a namespace fails: set it to false and apply first."
  type        = bool
  default     = true
}

variable "auth_method" {
  description = "How workers authenticate: \"api_key\" (default; one service account and API key per team) or \"mtls\" (client certificates issued by client_ca_pem; no API keys are created)."
  type        = string
  default     = "api_key"

  validation {
    condition     = contains(["api_key", "mtls"], var.auth_method)
    error_message = "auth_method must be \"api_key\" or \"mtls\"."
  }
}

variable "client_ca_pem" {
  description = "PEM of the CA (or bundle) whose client certificates the namespaces accept; required when auth_method is \"mtls\". A CA certificate is public, not a secret."
  type        = string
  default     = null

  validation {
    condition     = var.client_ca_pem == null || can(regex("-----BEGIN CERTIFICATE-----", var.client_ca_pem))
    error_message = "client_ca_pem must hold PEM certificate text (-----BEGIN CERTIFICATE----- ...), not a path or base64."
  }
}

variable "api_key_expiry" {
  description = "When the teams' API keys expire, as an RFC 3339 UTC time (e.g. \"2027-12-31T00:00:00Z\"). A fixed time, not a duration, so plans stay stable; changing it replaces the keys."
  type        = string
  default     = null

  validation {
    condition     = var.api_key_expiry == null || can(regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", var.api_key_expiry)) && can(formatdate("YYYY", var.api_key_expiry))
    error_message = "api_key_expiry must be an RFC 3339 UTC time such as \"2027-12-31T00:00:00Z\"."
  }
}

variable "name_prefix" {
  description = "Prefix of the service accounts' and API keys' display names, to tell this deployment apart from others in the account."
  type        = string
  default     = "nexus-agents"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.name_prefix))
    error_message = "name_prefix must start with a lowercase letter and hold only lowercase letters, digits and hyphens."
  }
}

variable "cloud_namespace_names" {
  description = "Temporal Cloud namespace name per part, for parts whose topology.json name is taken or needs an environment prefix (e.g. { orchestrator = \"acme-agents\" }). Workers then must connect through the generated profiles, which carry the real namespace id."
  type        = map(string)
  default     = {}
}

variable "additional_callers" {
  description = "Namespaces of this suite, by their topology.json name, that may call every tool endpoint besides the orchestrator's (which always may)."
  type        = list(string)
  default     = []
}

variable "codec_server_endpoint" {
  description = "HTTPS address of the codec server the Temporal Cloud UI decodes the suite's encrypted payloads with (shared/encryption/codec_server.py run with the suite's key file, e.g. \"https://codec.example.com\"), set on every namespace. null or \"\" (the default): no codec server; the UI shows payloads encrypted."
  type        = string
  default     = null

  validation {
    condition     = var.codec_server_endpoint == null || can(regex("^(https://[^\\s/]+(/[^\\s]*)?)?$", trimspace(var.codec_server_endpoint)))
    error_message = "codec_server_endpoint must be an https:// address such as \"https://codec.example.com\" (Temporal Cloud accepts no other), or null for no codec server."
  }
}

variable "codec_server_pass_access_token" {
  description = "Whether the Cloud UI sends the signed-in user's Temporal Cloud access token (a JWT) to the codec server with each request. Turn it on once the codec server checks such tokens; the suite's codec server authorizes by its own secret (a bearer token or the session cookie of its /login page)."
  type        = bool
  default     = false
  nullable    = false
}

variable "codec_server_include_cross_origin_credentials" {
  description = "Whether the Cloud UI's requests to the codec server carry the browser's cookies for it: the session cookie a person gets by signing in at the codec server's /login page with its secret."
  type        = bool
  default     = true
  nullable    = false
}
