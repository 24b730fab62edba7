"""Exceptions for mistakes a user can make on the command line or in a notebook call.

The ``crmlab`` command prints these as one line on stderr and exits non-zero, never with a traceback.
"""


class CrmlabError(Exception):
    """A problem with what the user asked for (unknown case, bad parameter, unreadable file)."""


class UnknownCaseError(CrmlabError, KeyError):
    """No case with that id. The message lists the valid ids."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PlannedCaseError(CrmlabError):
    """The case exists in the catalogue but its notebook or world has not been written yet."""


class ParameterError(CrmlabError, ValueError):
    """A notebook parameter that is undeclared, not an identifier, or not a plain JSON value."""
