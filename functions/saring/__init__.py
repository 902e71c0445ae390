"""Saring: finds banned imported used clothing on Indonesian marketplaces."""
