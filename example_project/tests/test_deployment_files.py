"""The deployment files agree on who the client is: nginx's address, one proxy trusted."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def _setting(text: str, name: str) -> list[str]:
    return re.findall(rf"^\s*-?\s*{name}\s*[:=]\s*\"?(\w+)\"?", text, re.MULTILINE)


def test_the_environment_and_compose_trust_one_proxy_nginx() -> None:
    env = (PROJECT / ".env.example").read_text()
    compose = (PROJECT / "docker-compose.yml").read_text()

    assert _setting(env, "DJANGO_NUM_PROXIES") == ["1"]
    assert _setting(compose, "DJANGO_NUM_PROXIES") == ["1"]


def test_nginx_sets_the_forwarding_headers_to_the_address_it_saw() -> None:
    text = (PROJECT / "nginx" / "nginx.conf").read_text()
    conf = re.sub(r"#[^\n]*", "", text)  # directives only
    proxied = re.findall(r"location [^{]*\{[^}]*proxy_pass[^}]*\}", conf)

    assert proxied
    for location in proxied:
        # Set, not appended: a client's own X-Forwarded-For never reaches the app.
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in location
        assert "proxy_set_header X-Real-IP $remote_addr;" in location
    assert "$proxy_add_x_forwarded_for" not in conf
