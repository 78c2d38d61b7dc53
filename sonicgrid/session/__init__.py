"""Conversational sessions: follow-up understanding, the session thread, slash commands."""
