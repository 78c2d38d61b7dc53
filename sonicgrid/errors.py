"""Errors that reach the user as one clear line (exit code 2), never a traceback."""


class UserError(Exception):
    """Bad input or a missing resource the user can fix; the CLI prints it and exits 2."""


class ModelUnavailable(UserError):
    """A model (LLM, generator, analyst) is not present where we looked."""
