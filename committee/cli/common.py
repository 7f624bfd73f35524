"""What every command module shares: who acts, and how secrets are read."""

import getpass
import sys

from committee.actor import Actor
from committee.errors import ValidationError


def operator() -> Actor:
    """The CLI acts as the operator at the server's shell, audited under their login."""
    return Actor.operator(getpass.getuser())


def read_password(prompt: str = "Password: ") -> str:
    """From a prompt when a person types it, else the first line of stdin; never an argument,
    which would be left in the shell's history and the process list."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise ValidationError("The two passwords differ.", field="password")
        return first
    return sys.stdin.readline().rstrip("\r\n")
