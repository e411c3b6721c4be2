"""End to end in a real browser: `citizen-focus serve` on the fixture warehouse, Debian's headless chromium.

Signs in as the local admin, opens every page from the sidebar, checks each page's key text is
rendered (figures from the marts included) and saves a screenshot of each page to a temporary
folder, or to $CITIZEN_FOCUS_SCREENSHOT_DIR when set (`make screenshots` refreshes docs/screenshots/,
which the README shows): running the tests leaves the working tree as it was.
Also: nobody signed in sees the sign-in form and no figures, no
page shows the planted personal data, and any request a page makes to another host fails the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_fixtures import MARK
from playwright.sync_api import Page, sync_playwright

from citizen_focus.config import PROJECT_DIR

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("CITIZEN_FOCUS_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="citizen-focus-shots-"))
# sidebar link -> (screenshot name, texts that must be rendered)
PAGES = {
    "Scorecard": ("scorecard", ["Scorecard: every commitment", "Missed in June 2008", "PLEDGE-6-999",
                                "999 calls answered within 10 s: 88.2% against 90%"]),
    "Calls & attendance": ("calls-attendance", ["Calls & attendance", "Borough league table, PLEDGE-6-999"]),
    "Satisfaction": ("satisfaction", ["User satisfaction", "Whole experience"]),
    "BME gap": ("bme-gap", ["White / BME satisfaction gap", "Boroughs ranked by gap"]),
    "Complaints & victim care": ("complaints-victim-care", ["Complaints & victim care", "PLEDGE-11-ACK-24H"]),
    "Record drill-down": ("drill-down", ["Record drill-down"]),
    "Exports": ("exports", ["Exports", "Download CSV", "Download Excel"]),
    "Data quality & loads": ("data-quality", ["Data quality & loads", "survey_responses_mps.csv"]),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(dashboard_warehouse: Path) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    exe = Path(sys.executable).with_name("citizen-focus")
    proc = subprocess.Popen([str(exe), "serve", "--db", str(dashboard_warehouse), "--port", str(port),
                             "--access", str(dashboard_warehouse.parent / "access.toml")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"open {url}/" in first  # serve prints the URL
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise AssertionError("the app did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


FOREIGN: list[str] = []  # every request the pages made to a host other than the app's
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def _only_local(route) -> None:
    """Aborts (and records) any request to another host: nothing may leave the machine (a favicon from a
    font server, an image or script from a CDN...)."""
    if urllib.parse.urlsplit(route.request.url).hostname not in LOCAL_HOSTS | {"::1"}:
        FOREIGN.append(route.request.url)
        route.abort()
    else:
        route.continue_()


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 2200})
        page.context.route("**/*", _only_local)
        yield page
        browser.close()


@pytest.fixture(autouse=True)
def _no_request_leaves_the_machine() -> Iterator[None]:
    FOREIGN.clear()
    yield
    assert FOREIGN == [], f"the pages requested other hosts: {FOREIGN}"


def _sign_in(page: Page, url: str, user: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_nobody_signed_in_sees_only_the_sign_in(server: str, browser_page: Page) -> None:
    browser_page.goto(server + "/scorecard")
    browser_page.get_by_text("Local sign-in").wait_for(timeout=60_000)  # /scorecard is not a page for nobody
    body = browser_page.inner_text("body")
    assert "Local sign-in" in body and "PLEDGE-6-999" not in body and "88.2%" not in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SHOTS / "sign-in.png"))


def test_every_page_renders_its_key_text_for_the_admin(server: str, browser_page: Page) -> None:
    _sign_in(browser_page, server, "ada", "ada-pw")
    browser_page.get_by_text("Scorecard: every commitment").wait_for(timeout=60_000)
    seen = []
    for link, (name, texts) in PAGES.items():
        browser_page.locator("[data-testid='stSidebarNav']").get_by_text(link, exact=True).click()
        for text in texts:  # table cells are in the DOM but drawn on a canvas: "attached", not "visible"
            browser_page.get_by_text(text, exact=False).first.wait_for(state="attached", timeout=60_000)
        browser_page.wait_for_load_state("networkidle")
        time.sleep(1.5)  # let Plotly finish drawing before the screenshot
        body = browser_page.inner_text("body")
        assert "Traceback" not in body and MARK not in body, link
        browser_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        seen.append(name)
    assert seen == [v[0] for v in PAGES.values()]
    assert (SHOTS / "scorecard.png").stat().st_size > 20_000
