"""nbval on the committed executed notebooks (the goldens) and the skeleton, and proof that it catches a changed
claim (on the skeleton: a mutation check costs seconds there, minutes on a chapter).

Both run in one nbval session in a subprocess; chapters write their figures into a temporary PAPERBOOK_ROOT so a
test run never rewrites the committed figures/. A failure shows nbval's report: the cell and its diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import nbformat
import pytest
from notebook_utils import NOTEBOOKS, ROOT, TEMPLATE, read

SANITIZER = ROOT / "tests" / "notebooks" / "nbval_sanitize.cfg"


def claims_cell_index(nb) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if "nbval-check-output" in c.metadata.get("tags", []) and "run.claims(" in c.source)


def mutate_first_number(nb) -> tuple[str, str]:
    """Change the first 3-decimal number of the claims table's text (what nbval compares) by +0.1; return
    (old, new)."""
    cell = nb.cells[claims_cell_index(nb)]
    for out in cell.outputs:
        text = out.get("data", {}).get("text/plain", "") if out.output_type == "display_data" else ""
        match = re.search(r"\d+\.\d{3}", text)
        if match:
            old = match.group(0)
            new = f"{float(old) + 0.1:.3f}"
            out.data["text/plain"] = text[:match.start()] + new + text[match.end():]
            return old, new
    raise AssertionError("the claims cell shows no 3-decimal number")


def run_nbval(paths, tmp_path, **env_vars) -> tuple[dict[str, str], str]:
    """Run nbval (lax: only cells tagged nbval-check-output are compared); return (test id -> outcome, report)."""
    report = tmp_path / "nbval.xml"
    env = {**os.environ, "PAPERBOOK_ROOT": str(tmp_path / "root"), **env_vars}
    (tmp_path / "root" / "lib" / "paperbook").mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
           "--nbval-sanitize-with", str(SANITIZER), "--nbval-cell-timeout", "600", f"--junitxml={report}",
           "--rootdir", str(tmp_path), *map(str, paths)]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = "failed" if failed else "passed"
    return outcomes, proc.stdout[-20000:]


@pytest.mark.slow
def test_nbval_goldens_pass_and_a_changed_claim_fails(tmp_path):
    golden_dir, mutated_dir = tmp_path / "golden", tmp_path / "mutated"
    golden_dir.mkdir(), mutated_dir.mkdir()
    for nb_path in [*NOTEBOOKS, TEMPLATE]:
        shutil.copy(nb_path, golden_dir / nb_path.name)
    nb = read(TEMPLATE)
    old, new = mutate_first_number(nb)
    nbformat.write(nb, mutated_dir / TEMPLATE.name)

    outcomes, report = run_nbval([*sorted(golden_dir.glob("*.ipynb")), mutated_dir / TEMPLATE.name], tmp_path)
    golden = {k: v for k, v in outcomes.items() if "golden" in k}
    mutated = {k: v for k, v in outcomes.items() if "mutated" in k}
    assert golden and all(v == "passed" for v in golden.values()), report
    failed = [k for k, v in mutated.items() if v == "failed"]
    assert len(failed) == 1, f"changing {old} -> {new} in the claims output should fail exactly one cell: {failed}"
    code_index = [c.cell_type for c in nb.cells[:claims_cell_index(nb)]].count("code")  # nbval counts code cells
    assert failed[0].endswith(f"Cell {code_index}")
    assert new in report and old in report, "the report shows the diff of the changed cell"


@pytest.mark.slow
def test_nbval_goldens_pass_at_one_thread(tmp_path):
    """Another reduction order (1 thread instead of 2, as on another CPU): the compared outputs do not move."""
    for nb_path in NOTEBOOKS:
        shutil.copy(nb_path, tmp_path / nb_path.name)
    outcomes, report = run_nbval(sorted(tmp_path.glob("*.ipynb")), tmp_path, PAPERBOOK_THREADS="1",
                                 OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    assert outcomes and all(v == "passed" for v in outcomes.values()), report
