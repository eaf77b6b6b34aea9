terraform {
  # 1.6+: `terraform test` checks modules/topology offline.
  required_version = ">= 1.6"

  required_providers {
    temporalcloud = {
      source  = "temporalio/temporalcloud"
      version = "~> 1.2"
    }
  }
}

# Credentials come from the TEMPORAL_CLOUD_API_KEY environment variable (an account API key allowed to
# create namespaces, service accounts, API keys and Nexus endpoints). Never put a key in a .tf file.
provider "temporalcloud" {}
