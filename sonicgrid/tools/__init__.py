"""Audio models as tools: one small protocol, a registry that picks real model or embedded default."""
