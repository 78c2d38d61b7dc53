"""Scripted evaluation of agent decisions: YAML suites of scenarios, run through the real graph."""
