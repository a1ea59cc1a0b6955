"""Ports for the servers the tests start on the loopback."""

import random
import socket


def free_port() -> int:
    """A free port below the kernel's range for outgoing connections (32768–60999): a server
    the tests stop and start again on its port finds it free, whereas a port from that range
    may meanwhile become the local end of any connection on the machine (one did: the city
    of tests/citylink/test_live.py could not come back up)."""
    for _ in range(200):
        port = random.randint(20000, 32000)  # nosec B311 - a port, not a secret
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")
