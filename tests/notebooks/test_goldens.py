"""The committed results of record are never stale and never slow: every golden notebook and its figures/<slug>/
come from one run of the code this checkout holds, and the fast profiles fit their time budgets."""

from __future__ import annotations

import json

import pytest
from notebook_utils import NOTEBOOKS, ROOT, by_golden, has_golden, read

from paperbook.core.chapters import full_record, load
from paperbook.core.provenance import stale_reasons

IDS = [p.stem for p in NOTEBOOKS]
TOTAL_BUDGET_S = 20 * 60  # every chapter's fast profile together (nbval re-executes them all)


def budget_s(slug: str) -> int:
    """Fast-profile budget of a chapter on a 2-core CPU, as its package declares it (BUDGET_S)."""
    return load(slug).BUDGET_S


def record(path) -> dict:
    return json.loads((ROOT / "figures" / path.stem / "provenance.json").read_text())


def printed(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("path", by_golden(NOTEBOOKS))
def test_golden_and_figures_come_from_this_checkout(path):
    rec = record(path)
    assert any(rel.startswith("lib/paperbook/chapters/") for rel in rec.get("sources", {})), \
        f"{path.stem}: its record lists no chapter module (the hashes were not taken)"
    reasons = stale_reasons(ROOT, rec, path)
    assert not reasons, f"{path.stem} is stale: {'; '.join(reasons)}. Run `make golden CH={path.stem[:2]}`"
    assert rec["profile"] == "fast", "figures/<slug>/ holds the fast profile (a full run goes to <slug>-full/)"
    assert f"run {rec['run_id']}" in printed(read(path)), \
        f"{path.stem}: the golden notebook and figures/{path.stem}/ come from different runs"


RECORDED = [p for p in NOTEBOOKS if full_record(ROOT, p.stem).exists()]


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_full_records_come_from_this_checkout(path):
    """A committed full-profile run (notebooks/records/, which the book shows) is as fresh as its golden."""
    rec = json.loads((ROOT / "figures" / f"{path.stem}-full" / "provenance.json").read_text())
    reasons = stale_reasons(ROOT, rec, path)
    assert not reasons, f"{path.stem}'s full record is stale: {'; '.join(reasons)}. Run `make full CH={path.stem[:2]}`"
    assert rec["profile"] == "full"
    assert f"run {rec['run_id']}" in printed(read(full_record(ROOT, path.stem))), \
        f"{path.stem}: notebooks/records/ and figures/{path.stem}-full/ come from different runs"


@pytest.mark.parametrize("path", by_golden(NOTEBOOKS))
def test_fast_profile_fits_its_budget(path):
    seconds = read(path).metadata["papermill"]["duration"]
    assert seconds <= budget_s(path.stem), f"{path.stem}: {seconds:.0f} s > {budget_s(path.stem)} s"


def test_all_fast_profiles_fit_the_suite_budget():
    total = sum(read(p).metadata["papermill"]["duration"] for p in NOTEBOOKS if has_golden(p))
    assert total <= TOTAL_BUDGET_S, f"the goldens take {total:.0f} s together, over {TOTAL_BUDGET_S} s"


SWEPT = [p for p in NOTEBOOKS if (ROOT / "figures" / f"{p.stem}-seeds" / "provenance.json").exists()]


@pytest.mark.parametrize("path", SWEPT, ids=[p.stem for p in SWEPT])
def test_sweep_records_come_from_this_checkout(path):
    """A committed sweep record (figures/<slug>-seeds/, make sweep) is as fresh as its golden, has every seed's
    claims, and its seed 0 is the golden's own run."""
    import pandas as pd

    folder = ROOT / "figures" / f"{path.stem}-seeds"
    rec = json.loads((folder / "provenance.json").read_text())
    reasons = stale_reasons(ROOT, rec, path)
    assert not reasons, f"{path.stem}'s sweep record is stale: {'; '.join(reasons)} (make sweep CH={path.stem[:2]})"
    assert len(rec["seeds"]) >= 5 and 0 in rec["seeds"], "a sweep record holds seeds 0-4 at least"
    assert rec["runs"]["0"] == record(path)["run_id"], "seed 0 of the sweep is the golden's run"
    by_seed = pd.read_csv(folder / "claims-by-seed.csv")
    assert sorted(by_seed["seed"].unique()) == sorted(rec["seeds"])
    golden = pd.read_csv(ROOT / "figures" / path.stem / "claims.csv")
    assert set(by_seed["id"]) == set(golden["id"]), "the sweep and the golden hold the same claims"


@pytest.mark.records
def test_every_chapter_has_a_sweep_record():
    """The status page names a chapter without a fresh sweep; this test lists them."""
    missing = [p.stem for p in NOTEBOOKS if p not in SWEPT]
    assert not missing, f"no sweep record: {missing} (make sweep CH=NN SEEDS=5)"
