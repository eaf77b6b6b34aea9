"""The IT team's tool service (namespace ``it-namespace``): network and Jira project tools."""
