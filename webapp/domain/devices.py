"""How the Signed-in devices page describes a login: browser and system from the user agent, and a coarse place
from the address – its network prefix only, worked out here without asking anyone (no geolocation service)."""
import ipaddress


# Parsing ua-parser's full rule set is slow the first time and cheap after; a login reads only the first part.
MAX_USER_AGENT = 512


def browser_and_system(user_agent: str | None) -> tuple[str, str]:
    """("Firefox 120", "Ubuntu") from a User-Agent header; empty strings for what it does not say."""
    text = (user_agent or "")[:MAX_USER_AGENT]
    if not text:
        return "", ""
    from ua_parser import parse_os, parse_user_agent  # lazy: only a login needs it, not the worker or most pages

    agent, system = parse_user_agent(text), parse_os(text)
    browser = f"{agent.family} {agent.major}".strip() if agent and agent.family != "Other" else ""
    platform = system.family if system and system.family != "Other" else ""
    return browser[:80], platform[:80]


def network_of(address: str | None) -> str:
    """The network an address belongs to, as a prefix: 192.0.2.0/24 for IPv4, a /48 for IPv6 (a site's block)."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
