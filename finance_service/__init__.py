"""The Finance team's tool service (namespace ``finance-namespace``): stock quotes and investment returns."""
