"""The GraphQL entrypoint: strawberry types translated from the domain, and the one schema.

The modules that define strawberry types do not postpone annotations (no `from __future__
import annotations`; `tests/functional/test_cold_imports.py` holds them to it): strawberry would
otherwise compile and evaluate every annotation string while it builds the types, some
20 ms of each cold start on the development machine. Forward references are avoided by order
(`Self` for a type's own constructors).
"""
