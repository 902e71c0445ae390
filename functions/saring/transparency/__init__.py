"""Transparency exports for operators (CLI only, not shipped to Lambda): statements of reasons
validated against the DSA transparency database's rules, and the transparency report."""
