"""Loopback ports for the tests that start servers or need a port nobody listens on."""
import socket
import urllib.request


def free_port() -> int:
    """A loopback port free when this returns: nothing listens on it until a server the test starts binds it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, path: str = "/catalog/", timeout: float = 5) -> bool:
    """Whether a server on `port` answers `path` with 200 (False while it is not up yet, or refuses)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False
