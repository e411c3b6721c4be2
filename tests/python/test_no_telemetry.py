"""No usage statistics leave the machine: the effective configuration of each tool says so."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from citizen_focus.config import NO_TELEMETRY_ENV, PROJECT_DIR
from citizen_focus.dbt_runner import dbt_env, dbt_executable


def test_dbt_project_turns_anonymous_usage_stats_off() -> None:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["flags"]["send_anonymous_usage_stats"] is False


def test_dbt_runs_with_tracking_disabled(tmp_path) -> None:
    """dbt records the effective setting in its manifest's metadata: read it from a real parse."""
    env = dbt_env(tmp_path / "w.duckdb")
    assert env["DO_NOT_TRACK"] == "1"
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    subprocess.run([dbt_executable(), "parse", "--no-partial-parse"], cwd=PROJECT_DIR, env=env, check=True,
                   capture_output=True)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False


def test_streamlit_effective_config_gathers_no_usage_stats() -> None:
    code = (
        f"import os; os.chdir({str(PROJECT_DIR)!r})\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(config.get_option('browser.gatherUsageStats'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_great_expectations_sends_no_analytics() -> None:
    """GX 1.24 sends analytics through posthog when enabled; the switch is off in every process we
    start, and the sender is not even installed (so a context that forgot the switch still sends
    nothing)."""
    assert NO_TELEMETRY_ENV["GX_ANALYTICS_ENABLED"] == "false"
    code = (
        "import importlib.util\n"
        "import great_expectations as gx\n"
        "ctx = gx.get_context(mode='ephemeral')\n"
        "print(ctx.config.analytics_enabled in (None, False), importlib.util.find_spec('posthog') is None)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **NO_TELEMETRY_ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True True"


def _outbound(trace: str) -> list[str]:
    """System calls in an strace log that address another machine: an IPv4/IPv6 connect or sendto to an
    address outside loopback, or to port 53 anywhere (a DNS query to a local stub resolver leaves too)."""
    found = []
    for line in trace.splitlines():
        if not re.search(r"\b(connect|sendto|sendmsg)\(", line) or not re.search(r"AF_INET6?\b", line):
            continue
        address = re.search(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"', line)
        host = next((g for g in address.groups() if g), "") if address else ""
        port = re.search(r"sin6?_port=htons\((\d+)\)", line)
        loopback = host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1")
        if not loopback or (port and port.group(1) == "53"):
            found.append(line)
    return found


def _foreign_origin_websocket(port: int) -> bytes:
    """A websocket handshake from a page on another site (what made Streamlit look up its addresses)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET /_stcore/stream HTTP/1.1\r\nHost: localhost:{port}\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  "Sec-WebSocket-Version: 13\r\nOrigin: http://attacker.example\r\n\r\n".encode())
        return s.recv(200)


@pytest.mark.slow
def test_serve_attempts_no_connection_off_the_machine(tmp_path) -> None:
    """`citizen-focus serve` under strace -f: start-up, two foreign-Origin websockets, a browser signing in.
    Every connect/sendto of the server and its children is to loopback, and none is DNS."""
    from playwright.sync_api import sync_playwright
    from test_dashboard_browser import CHROMIUM, FLAGS, _free_port, _sign_in

    from citizen_focus.access import add_local_user

    access = tmp_path / "access.toml"
    add_local_user(access, "ada", "admin", "ada-pw")
    port = _free_port()
    log = tmp_path / "strace.log"
    exe = Path(sys.executable).with_name("citizen-focus")
    proc = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(log),
                             str(exe), "serve", "--db", str(tmp_path / "w.duckdb"), "--port", str(port),
                             "--access", str(access)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR)))
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "the app did not start"
                time.sleep(0.5)
        for _ in range(2):
            assert _foreign_origin_websocket(port).startswith(b"HTTP/1.1 403")  # refused, as before
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            page = browser.new_page()
            _sign_in(page, f"http://localhost:{port}", "ada", "ada-pw")
            page.get_by_text("Signed in as").wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    trace = log.read_text()
    assert "connect(" in trace  # the trace saw the server's own loopback traffic: it was listening
    assert _outbound(trace) == []
