"""Catalog scan: wiring of the split and the worker, and the in-process local run."""
