"""SonicGrid: an agentic audio producer (generation + critic + mastering, with memory)."""

__version__ = "0.1.0"
