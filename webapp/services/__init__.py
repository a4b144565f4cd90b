"""Use cases. Each takes explicit arguments (the acting user, the time), returns models, raises DomainError.

Services commit their own unit of work and know nothing of HTTP.
"""
