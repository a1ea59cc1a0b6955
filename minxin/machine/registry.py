"""Every machine of the installed apps: each app binds its table in `<app>/machine.py`, and
the docs, the transition tests and the status-writer scan find them here."""

from functools import cache
from typing import Any

from minxin.core.discover import app_modules

from .engine import Machine


@cache
def machines() -> list[Machine[Any, Any]]:
    return [
        m
        for module in app_modules("machine")
        if module.__name__ != __package__
        for m in vars(module).values()
        if isinstance(m, Machine)
    ]


def machine_named(name: str) -> Machine[Any, Any]:
    for machine in machines():
        if machine.name == name:
            return machine
    raise LookupError(f"no machine named {name!r}")
