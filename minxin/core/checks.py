"""Configuration that cannot work fails when the process starts, with a clear message — never
as a 500 on every request that happens to need it (a rate-limited POST with REDIS_URL set and
no Redis client installed)."""

from collections.abc import Mapping
from importlib.util import find_spec
from typing import Any

# Backends that import their client only when first used: the client they need, and how to get it.
CLIENTS: Mapping[str, tuple[str, str]] = {
    "django.core.cache.backends.redis.RedisCache": ("redis", "pip install redis"),
}
EXTRAS = "make setup，即 uv sync"


def configuration_problems(*, caches: Mapping[str, Any], tasks: Mapping[str, Any]) -> list[str]:
    problems = []
    for kind, configured in (("CACHES", caches), ("TASKS", tasks)):
        for alias, options in configured.items():
            backend = str(options.get("BACKEND", ""))
            package = backend.split(".", 1)[0]
            if find_spec(package) is None:
                problems.append(f"{kind}['{alias}'] 使用 {backend}，但未安装 {package}（{EXTRAS}）")
            elif backend in CLIENTS and find_spec(CLIENTS[backend][0]) is None:
                client, remedy = CLIENTS[backend]
                problems.append(f"{kind}['{alias}'] 使用 {backend}，但未安装 {client}（{remedy}）")
    return problems
