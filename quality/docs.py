"""Makes the GX Data Docs site work offline and gives it a static front page.

GX's pages load Bootstrap, jQuery, Vega and fonts from public CDNs and its front page is built
by JavaScript from those libraries. Police networks are often offline, and a page that fetches
from third parties on opening tells them who is reading it. So, after GX has built the site:

- every `<script src>`, `<link href>` and `<img src>` pointing off the machine is removed and a
  small local stylesheet is inlined instead (the pages are server-rendered HTML tables, readable
  without the libraries);
- index.html is replaced by a static page: one line per suite (status, counts, links to its
  validation result and its expectation suite), then every failed expectation with its severity,
  observed value and example rows.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

EXTERNAL_RESOURCE = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>"""
    r"""|<img\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>""",
    re.IGNORECASE,
)

STYLE = """
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem; color: #1d1d1f; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #c8c8cc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f3; }
.collapse:not(.show) { display: block; }
.cf-critical { color: #b00020; font-weight: 600; }
.cf-warning { color: #8a5a00; font-weight: 600; }
.cf-passed { color: #1b6e20; }
footer { position: static !important; }
.fa-check-circle::before { content: "\\2714  passed"; color: #1b6e20; font-style: normal; }
.fa-times::before { content: "\\2718  failed"; color: #b00020; font-style: normal; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
</style>
"""


def make_offline(page: str) -> str:
    """The page without resources fetched from other machines, with the local stylesheet."""
    page = EXTERNAL_RESOURCE.sub("", page)
    return page.replace("</head>", STYLE + "</head>", 1) if "</head>" in page else STYLE + page


def _pages(site: Path, kind: str) -> dict[str, str]:
    """suite name -> page path relative to the site, for 'validations' or 'expectations'."""
    found: dict[str, str] = {}
    root = site / kind
    if not root.exists():
        return found
    for page in sorted(root.rglob("*.html")):
        parts = page.relative_to(root).parts
        # validations/<suite parts...>/<run name>/<run time>/<batch>.html; expectations/<suite parts...>.html
        suite = ".".join(parts[:-3]) if kind == "validations" else ".".join(parts)[: -len(".html")]
        found[suite] = page.relative_to(site).as_posix()
    return found


def _example(details: dict) -> str:
    if details.get("error"):
        return str(details["error"])
    examples = details.get("examples") or details.get("partial_missing_list") or []
    return json.dumps(examples[:3], default=str) if examples else ""


def _status(run) -> tuple[str, str]:
    if run.skipped:
        return "cf-warning", "skipped (relation missing)"
    if run.failed_critical:
        return "cf-critical", f"{run.failed_critical} critical failed"
    if run.failed_warning:
        return "cf-warning", f"{run.failed_warning} warning(s)"
    return "cf-passed", "passed"


def front_page(
    runs: list,
    run_name: str,
    run_time: dt.datetime,
    validations: dict[str, str],
    expectations: dict[str, str],
) -> str:
    esc = html.escape
    critical = sum(r.failed_critical for r in runs)
    warning = sum(r.failed_warning for r in runs)
    total = sum(len(r.outcomes) for r in runs)
    lines = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Citizen Focus Warehouse: data quality</title>",
        STYLE,
        "</head><body>",
        "<h1>Data quality checks</h1>",
        f"<p>Run <code>{esc(run_name)}</code> at {esc(run_time.strftime('%Y-%m-%d %H:%M:%S UTC'))}: "
        f"{total} expectations in {len(runs)} suites, "
        f"<span class='cf-critical'>{critical} critical failed</span>, "
        f"<span class='cf-warning'>{warning} warnings failed</span>. "
        "A critical failure blocks publishing; a warning is reported. Rules and severities: "
        "<code>quality/suites/*.yml</code>; how to read this page: <code>docs/data-quality.md</code>.</p>",
        "<h2>Suites</h2><table><tr><th>suite</th><th>table</th><th>status</th><th>rows validated</th>"
        "<th>expectations</th><th>pages</th></tr>",
    ]
    for run in runs:
        css, status = _status(run)
        links = []
        if run.suite.name in validations:
            links.append(f"<a href='{esc(validations[run.suite.name])}'>results</a>")
        if run.suite.name in expectations:
            links.append(f"<a href='{esc(expectations[run.suite.name])}'>suite</a>")
        rows = "skipped" if run.skipped else "query failed" if run.rows is None else f"{run.rows:,}"
        lines.append(
            f"<tr><td>{esc(run.suite.name)}</td><td>{esc(run.suite.table)}</td>"
            f"<td class='{css}'>{esc(status)}</td><td>{esc(rows)}</td><td>{len(run.outcomes)}</td>"
            f"<td>{' '.join(links)}</td></tr>"
        )
    lines.append("</table>")
    failures = [o for r in runs for o in r.outcomes if not o.success]
    lines.append("<h2>Failed expectations</h2>")
    if not failures:
        lines.append("<p class='cf-passed'>None.</p>")
    else:
        lines.append(
            "<table><tr><th>severity</th><th>suite</th><th>rule</th><th>column</th><th>observed</th>"
            "<th>examples</th><th>what it means</th></tr>"
        )
        for o in sorted(failures, key=lambda o: (o.severity != "critical", o.suite, o.rule)):
            lines.append(
                f"<tr><td class='cf-{esc(o.severity)}'>{esc(o.severity)}</td><td>{esc(o.suite)}</td>"
                f"<td>{esc(o.rule)}</td><td>{esc(o.column or '')}</td><td>{esc(o.observed_value or '')}</td>"
                f"<td><code>{esc(_example(o.details or {}))}</code></td><td>{esc(o.description)}</td></tr>"
            )
        lines.append("</table>")
    lines.append("</body></html>")
    return "\n".join(lines)


def finish_site(site: Path, runs: list, run_name: str, run_time: dt.datetime) -> None:
    for page in site.rglob("*.html"):
        page.write_text(make_offline(page.read_text(encoding="utf-8")), encoding="utf-8")
    index = front_page(runs, run_name, run_time, _pages(site, "validations"), _pages(site, "expectations"))
    (site / "index.html").write_text(index, encoding="utf-8")
