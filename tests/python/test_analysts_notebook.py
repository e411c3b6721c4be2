"""The analysts' worked notebook (docs/analysts.ipynb) runs end to end and shows what the marts hold.

nbclient executes it in a real IPython kernel against the 12-month sample warehouse. The test
then adds one cell of its own that prints the notebook's results as JSON, and compares them with
the marts read by the test's own SQL: the same questions in the same order with the same counts
and rates (to the notebook's one decimal), the same five boroughs with the same Holm p-values,
and an export of exactly the mart's rows with small counts shown as "<10".
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from warehouse_builder import query

from citizen_focus.config import PROJECT_DIR

NOTEBOOK = PROJECT_DIR / "docs" / "analysts.ipynb"
DUMP = """print("RESULTS " + json.dumps({
    "force": force, "latest": str(latest), "satisfaction": satisfaction.to_dict("records"),
    "gaps": gaps.to_dict("records"), "exported": exported.astype(str).to_dict("records"),
}, default=str))"""


def _run(db: Path, tmp: Path, monkeypatch) -> dict:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook cleared"
    nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(DUMP))  # before the last cell closes `con`
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp / "kernel"))  # no TCP port opened
    monkeypatch.setenv("CITIZEN_FOCUS_DB", str(db))  # the kernel inherits the environment
    NotebookClient(nb, km=km, timeout=180, resources={"metadata": {"path": str(tmp)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")
    line = next(part for part in text.splitlines() if part.startswith("RESULTS "))
    return json.loads(line.removeprefix("RESULTS "))


def test_notebook_runs_and_its_outputs_equal_the_marts(sample_warehouse_12: Path, tmp_path: Path,
                                                      monkeypatch) -> None:
    got = _run(sample_warehouse_12, tmp_path, monkeypatch)
    force, latest = query(sample_warehouse_12, """
        select min(force_code), max(period_end_month) filter (where window_months = 12 and is_full_window)
        from marts.citizen_focus_satisfaction""")[0]
    assert (got["force"], got["latest"]) == (force, str(latest))

    sat = query(sample_warehouse_12, """
        select question, respondents_display, rate, ci_low, ci_high, reliable from marts.citizen_focus_satisfaction
        where force_code = ? and borough_code = 'ALL' and window_months = 12 and is_full_window
          and period_end_month = ? order by rate desc, question""", [force, latest])
    assert len(sat) == 5
    assert [r["question"] for r in got["satisfaction"]] == [q for q, *_ in sat]
    for shown, (_, display, rate, low, high, reliable) in zip(got["satisfaction"], sat, strict=True):
        assert shown["respondents_display"] == display and shown["reliable"] == reliable
        for column, value in (("pct", rate), ("ci_low_pct", low), ("ci_high_pct", high)):
            assert abs(shown[column] - 100 * value) <= 0.05 + 1e-9, (column, shown, value)

    gaps = query(sample_warehouse_12, """
        select borough_code, gap_pp, p_value_holm, significant_holm from marts.bme_satisfaction_gap
        where force_code = ? and borough_code <> 'ALL' and question = 'whole_experience' and window_months = 12
          and period_end_month = ? order by gap_pp desc nulls last, borough_code limit 5""", [force, latest])
    assert len(gaps) == 5
    assert [(g["borough_code"], g["p_value_holm"], g["significant_holm"]) for g in got["gaps"]] == [
        (b, p, s) for b, _, p, s in gaps]
    assert all(abs(g["gap_pp"] - gap) <= 0.05 + 1e-9 for g, (_, gap, _, _) in zip(got["gaps"], gaps, strict=True))

    rows = query(sample_warehouse_12, """
        select borough_code, question, white_respondents from marts.bme_satisfaction_gap
        where force_code = ? and window_months = 12 and period_end_month = ? order by all""", [force, latest])
    exported = sorted((r["borough_code"], r["question"], r["white_respondents"]) for r in got["exported"])
    expected = sorted((b, q, "<10" if 1 <= n <= 9 else str(n)) for b, q, n in rows)
    assert exported == expected
