"""Every machine of the installed apps: each app binds its table in `<app>/machine.py`, and
the docs, the transition tests and the status-writer scan find them here."""

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps

from .engine import Machine


@cache
def machines() -> list[Machine[Any, Any]]:
    found: list[Machine[Any, Any]] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.machine"
        if config.name == __package__ or find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        found += [m for m in vars(module).values() if isinstance(m, Machine)]
    return found


def machine_named(name: str) -> Machine[Any, Any]:
    for machine in machines():
        if machine.name == name:
            return machine
    raise LookupError(f"no machine named {name!r}")
