"""Saves a screenshot of one dashboard page on a given warehouse (docs screenshots of the sample).

Why a script and not the browser test: the test runs on the small fixture; docs screenshots of the
sample are made on purpose, by hand, so tests never rewrite tracked files.
Usage: python scripts/screenshot_page.py WAREHOUSE.duckdb "BME gap" docs/screenshots/bme-gap-sample.png
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from citizen_focus.access import add_local_user


def main(db: str, link: str, out: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    access = Path(tempfile.mkdtemp()) / "access.toml"
    add_local_user(access, "shot", "analyst", "shot-pw")
    exe = Path(sys.executable).with_name("citizen-focus")
    proc = subprocess.Popen([str(exe), "serve", "--db", db, "--port", str(port), "--access", str(access)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 2200})
            page.goto(url)
            page.get_by_label("User name").fill("shot")
            page.get_by_role("textbox", name="Password").fill("shot-pw")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_text("Scorecard: every commitment").wait_for(timeout=120_000)
            page.locator("[data-testid='stSidebarNav']").get_by_text(link, exact=True).click()
            page.wait_for_load_state("networkidle")
            time.sleep(6)
            page.screenshot(path=out, full_page=True)
            browser.close()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main(*sys.argv[1:4])
