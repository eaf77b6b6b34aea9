"""The contract between teams and the small kit every tool team builds on.

Nothing here imports from a team: teams import ``shared``, never each other.
"""
