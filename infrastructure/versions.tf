terraform {
  # 1.6+: `terraform test` checks modules/topology offline.
  required_version = ">= 1.6"

  required_providers {
    temporalcloud = {
      source = "temporalio/temporalcloud"
      # Exactly the release this module was checked against (its schema and validators); a newer
      # provider is a deliberate upgrade: change the pin, run `terraform init -upgrade`, commit the lock file.
      version = "1.5.0"
    }
  }
}

# Credentials come from the TEMPORAL_CLOUD_API_KEY environment variable (an account API key allowed to
# create namespaces, service accounts, API keys and Nexus endpoints). Never put a key in a .tf file.
provider "temporalcloud" {
  # The provider asks Cloud which account the key belongs to and stops before planning anything if it
  # is not this one, so a key for another account (staging, a customer's) cannot be applied by mistake.
  allowed_account_id = var.temporal_cloud_account_id
}
