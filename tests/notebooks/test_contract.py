"""Contract tests over every chapter notebook and the skeleton: parameters, full profile, hygiene, the run API,
fail-fast on bad input (in-process through `start`, plus one papermill run proving the notebook path)."""

from __future__ import annotations

import importlib
import re

import papermill as pm
import pytest
import yaml
from notebook_utils import (
    NOTEBOOKS,
    ROOT,
    TEMPLATE,
    full_profile,
    parameter_annotations,
    parameter_defaults,
    parameters_cells,
    read,
)

from paperbook.core.chapters import load
from paperbook.core.params import ParameterError, validate
from paperbook.core.prose import unquoted_numbers
from paperbook.core.run import start

ALL = [*NOTEBOOKS, TEMPLATE]
IDS = [p.stem for p in ALL]


def chapter_of(path):
    return importlib.import_module("paperbook.chapters._template") if path == TEMPLATE else load(path.stem)


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks/NN_<slug>.ipynb found"


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_one_parameters_cell_first_with_typed_literals(path):
    nb = read(path)
    cells = parameters_cells(nb)
    assert len(cells) == 1, "exactly one cell tagged `parameters`"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is cells[0], "the parameters cell must be the first code cell (unknown-name detection)"
    defaults = parameter_defaults(cells[0])
    for line in cells[0].source.splitlines():
        assert "#" in line, f"every parameter needs a comment (papermill --help-notebook shows it): {line}"
    spec = chapter_of(path).PARAMS
    assert set(defaults) == set(spec), "parameters cell and declared spec disagree"
    validate(defaults, spec)
    assert chapter_of(path).check(defaults) == [], "the defaults fail the chapter's cross-parameter check"
    for name, (annotation, _) in parameter_annotations(cells[0]).items():
        expected = spec[name].annotation()
        assert annotation == expected, f"{name}: annotated {annotation}, spec says {expected}"


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_full_profile_is_valid(path):
    full = full_profile(path)
    assert full.exists(), f"missing {full.relative_to(ROOT)}"
    overrides = yaml.safe_load(full.read_text())
    defaults = parameter_defaults(parameters_cells(read(path))[0])
    assert set(overrides) <= set(defaults), f"unknown keys {set(overrides) - set(defaults)}"
    merged = validate({**defaults, **overrides}, chapter_of(path).PARAMS)
    assert chapter_of(path).check(merged) == []


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_notebook_hygiene_and_run_api(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = "\n".join(c.source for c in code)
    assert not re.search(r"^\s*[!%]\s*pip\s+install", source, re.M), "installs packages from a cell"
    assert not re.search(r"/(work|tmp|root|home)/", source), "absolute path in a code cell"
    assert all(c.execution_count for c in code), "committed unexecuted: run `make golden`"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"], "committed with an error output"
    assert any("nbval-check-output" in c.metadata.get("tags", []) for c in code), "no cell compared by nbval"
    assert "savefig" not in source and "plt.show" not in source, "figures go through run.show(fig, name, caption=)"
    assert "start(globals(), ch)" in source and source.count("run.claims(") == 1 and "run.finish()" in source
    assert all(c.source.count("run.show(") <= 1 for c in code), "one figure per cell (its caption is the cell's)"
    params = parameter_defaults(parameters_cells(nb)[0])
    glued = re.findall(r"glue\(\s*\"(\w+)\"", source)
    assert not set(glued) & set(params), f"parameters are glued by start(): {set(glued) & set(params)}"


CH01, CH02, CH03 = "01_dense_am_random_features", "02_am_clustering", "03_compositional_complexity"
CH04, CH06 = "04_compositional_program_generator", "06_neural_reasoning_networks"
CH07 = "07_linear_probe_calibration"
BAD = [(CH02, {"no_such_param": 1}, "no_such_param"), (CH02, {"num_clusters": -3}, "num_clusters"),
       (CH02, {"clam_lrs": "abc"}, "clam_lrs"), (CH02, {"abl_lr": "abc"}, "abl_lr"), (CH02, {"lr": 0.1}, "lr"),
       (CH01, {"fig3_Ys": [1000]}, "fig3_Ys"), (CH01, {"fig6_dataset": "mnist"}, "fig6_dataset"),
       (CH01, {"beta": 30.0}, "beta"), (CH01, {"fig4a_alpha": -0.1}, "fig4a_alpha"),
       (CH01, {"fig4a_nq": 21}, "fig4a_nq"), (CH03, {"ops_test_ranges": [[6, 2], [8, 12]]}, "ops_test_ranges"),
       (CH03, {"ops_models": ["treenet", "gru"]}, "ops_models"), (CH03, {"p1_L": 4}, "p1_L"),
       (CH03, {"ops_steps": 0}, "ops_steps"), (CH03, {"ops_test_ranges": [[2, 6], [3, 5]]}, "ops_test_ranges"),
       (CH04, {"cpg_sets": ["addjump14"]}, "cpg_sets"), (CH04, {"cpg_K": 7}, "cpg_K"),
       (CH04, {"gru_splits": ["jump_around_right"]}, "gru_splits"), (CH04, {"curve_ks": [3, 14]}, "curve_ks"),
       (CH04, {"cogs_max_depth": 2}, "cogs_max_depth"), (CH06, {"datasets": ["mnist"]}, "datasets"),
       (CH06, {"datasets": ["breast_cancer"]}, "datasets"), (CH06, {"k_out": 9}, "k_out"),
       (CH06, {"prune_quantile": 1.5}, "prune_quantile"), (CH07, {"tasks": ["sst2_like", "imdb"]}, "tasks"),
       (CH07, {"shots": [0, 1]}, "shots"), (CH07, {"val_sizes": [5, 40]}, "val_sizes"),
       (CH07, {"linc_init": "zeros"}, "linc_init"), (CH07, {"val_demos": "shared"}, "val_demos")]


@pytest.mark.parametrize("slug,bad,name", BAD, ids=[f"{s[:2]}-{n}" for s, _, n in BAD])
def test_bad_parameter_fails_in_start_before_anything_is_written(slug, bad, name, tmp_path):
    nb = read(ROOT / "notebooks" / f"{slug}.ipynb")
    namespace = {**parameter_defaults(parameters_cells(nb)[0]), **bad}
    with pytest.raises(ParameterError, match=repr(name)):
        start(namespace, load(slug), root=tmp_path)
    assert not list(tmp_path.iterdir()), "outputs were written before the parameters were checked"


@pytest.mark.slow
def test_papermill_with_a_bad_parameter_stops_in_the_setup_cell(tmp_path, monkeypatch):
    """The notebook path: papermill injects the name, the setup cell raises, no later cell runs."""
    monkeypatch.setenv("PAPERBOOK_ROOT", str(tmp_path))  # a run that got past setup would write here
    (tmp_path / "lib" / "paperbook").mkdir(parents=True)
    out = tmp_path / "out.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(TEMPLATE), str(out), parameters={"fig1_trails": 10}, cwd=str(TEMPLATE.parent),
                            progress_bar=False, kernel_name="python3")
    assert err.value.ename == "ParameterError"
    assert "'fig1_trails'" in err.value.evalue and "did you mean 'fig1_trials'" in err.value.evalue
    executed = read(out)
    setup = next(i for i, c in enumerate(executed.cells) if "start(globals()" in c.source)
    assert all(not c.get("outputs") for c in executed.cells[setup + 1:] if c.cell_type == "code")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "out.ipynb"], "outputs written before the check"


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_prose_types_no_result(path):
    """Every number in markdown is glued, exempt (math, citations, names, figure numbers, a box of measurements made
    outside the book) or listed with its reason in the notebook's `paperbook.reference_numbers` (paperbook.core.prose).
    Planting "we measured 0.93" in any markdown cell fails this test (tests/core/test_prose.py shows it)."""
    found = unquoted_numbers(read(path))
    assert not found, (f"typed numbers in markdown (cell, token): {found}; glue them (claims.quote) or list a "
                       "quoted reference value with its reason in the notebook metadata paperbook.reference_numbers")


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_claims_rows_have_kinds_and_origins(path):
    """The run's claims.csv has the columns of issue 25: kind, origin, margin, interval, and known verdicts."""
    import pandas as pd

    from paperbook.core.claims import COLUMNS, KINDS, ORIGINS, VERDICTS

    folder = ROOT / "figures" / path.stem if path != TEMPLATE else None
    if folder is None or not (folder / "claims.csv").exists():
        pytest.skip("no committed claims.csv (the skeleton's outputs live in .cache)")
    table = pd.read_csv(folder / "claims.csv", keep_default_na=False)
    assert table.columns.tolist() == COLUMNS
    assert set(table["kind"]) <= set(KINDS) and set(table["origin"]) <= set(ORIGINS)
    assert set(table["verdict"]) <= set(VERDICTS)
