"""What every command module shares: who acts, how secrets are read, and modules loaded late."""

import getpass
import importlib.util
import sys
from types import ModuleType

from committee.actor import Actor
from committee.errors import ValidationError


def operator() -> Actor:
    """The CLI acts as the operator at the server's shell, audited under their login."""
    return Actor.operator(getpass.getuser())


def lazy(*names: str) -> tuple[ModuleType, ...]:
    """The modules ``names``, each imported at its first use rather than now. The domain brings
    in the database layer, and some commands the charts and the PDF printer: a command (and
    ``--help``) pays only for what it uses."""
    modules = []
    for name in names:
        if name not in sys.modules:
            spec = importlib.util.find_spec(name)
            loader = importlib.util.LazyLoader(spec.loader)
            spec.loader = loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            loader.exec_module(module)
        modules.append(sys.modules[name])
    return tuple(modules)


def read_password(prompt: str = "Password: ") -> str:
    """From a prompt when a person types it, else the first line of stdin; never an argument,
    which would be left in the shell's history and the process list."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise ValidationError("The two passwords differ.", field="password")
        return first
    return sys.stdin.readline().rstrip("\r\n")
