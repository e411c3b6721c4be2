"""Markdown injection from the data, in a real browser: a value in a mart is shown as text, never as markup.

The attack: a force code `![x](http://127.0.0.1:PORT/x)` made every viewer's browser fetch that URL (the
force sorts first, so it is the default), and a standard's title `[sign in again](http://...)` rendered
as a live link. Ingest refuses such codes now (docs/contract.md), so the values are planted straight into
the marts of a copy of the dashboard fixture, as data from an older load or another route would arrive.
A listener on the planted port counts every request the browser makes to it; it must count none, no
link or image may point at it, and the planted text must be on the page as written.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import sync_playwright
from test_dashboard_browser import CHROMIUM, FLAGS, _free_port, _sign_in

from citizen_focus.config import PROJECT_DIR

pytestmark = pytest.mark.slow


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _serve(db: Path, access: Path) -> Iterator[str]:
    port = _free_port()
    exe = Path(sys.executable).with_name("citizen-focus")
    proc = subprocess.Popen([str(exe), "serve", "--db", str(db), "--port", str(port), "--access", str(access)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR)), start_new_session=True)
    url = f"http://localhost:{port}"
    try:
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


def test_markdown_in_the_data_fetches_nothing_and_links_nowhere(dashboard_warehouse: Path, tmp_path: Path) -> None:
    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    port = listener.server_address[1]
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    force = f"![x](http://127.0.0.1:{port}/x)"
    title = f"[sign in again](http://127.0.0.1:{port}/phish)"
    borough = f"![b](http://127.0.0.1:{port}/b)"

    db = tmp_path / "hostile.duckdb"
    shutil.copyfile(dashboard_warehouse, db)
    con = duckdb.connect(str(db))
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_columns() where schema_name = 'marts' and column_name = 'force_code' "
        "and table_name in (select table_name from duckdb_tables() where schema_name = 'marts')").fetchall()]
    for table in tables:
        con.execute(f"update marts.{table} set force_code = ?", [force])
    con.execute("update marts.promise_scorecard set title = ? where standard_id = 'PLEDGE-6-999'", [title])
    con.execute("update marts.pledge_compliance set borough_code = ? where borough_code = 'HK'", [borough])
    con.execute("checkpoint")
    con.close()

    try:
        with _serve(db, dashboard_warehouse.parent / "access.toml") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 1440, "height": 2200})
            _sign_in(page, url, "ada", "ada-pw")
            page.get_by_text("Scorecard: every commitment").wait_for(timeout=60_000)
            page.get_by_text("Missed in June 2008").wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            time.sleep(1.5)
            body = page.inner_text("body").replace("\u2060", "")  # the word joiners md() puts in URLs
            assert force in body  # the planted value is shown as written, as text
            assert title + ": 88.2% against 90%" in body
            assert borough in body
            planted = f"127.0.0.1:{port}"
            live = page.locator(f"a[href*='{planted}'], img[src*='{planted}']")
            assert live.count() == 0, [live.nth(i).evaluate("e => e.outerHTML") for i in range(live.count())]
            for link in ("Calls & attendance", "Satisfaction", "BME gap", "Complaints & victim care",
                         "Record drill-down", "Exports"):
                page.locator("[data-testid='stSidebarNav']").get_by_text(link, exact=True).click()
                page.get_by_text(link if link != "Satisfaction" else "User satisfaction").first.wait_for(
                    state="attached", timeout=60_000)
                page.wait_for_load_state("networkidle")
                time.sleep(1.0)
                assert live.count() == 0, (link, [live.nth(i).evaluate("e => e.outerHTML")
                                                  for i in range(live.count())])
            browser.close()
    finally:
        listener.shutdown()
    assert _Counter.hits == []
