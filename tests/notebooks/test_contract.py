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
    by_golden,
    full_profile,
    parameter_annotations,
    parameter_defaults,
    parameters_cells,
    read,
)

from paperbook.core.chapters import load
from paperbook.core.params import Param, ParameterError, validate
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


@pytest.mark.parametrize("path", by_golden(ALL))
def test_committed_executed(path):
    code = [c for c in read(path).cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "committed unexecuted: run `make golden`"


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_notebook_hygiene_and_run_api(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = "\n".join(c.source for c in code)
    assert not re.search(r"^\s*[!%]\s*pip\s+install", source, re.M), "installs packages from a cell"
    assert not re.search(r"/(work|tmp|root|home)/", source), "absolute path in a code cell"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"], "committed with an error output"
    assert any("nbval-check-output" in c.metadata.get("tags", []) for c in code), "no cell compared by nbval"
    assert "savefig" not in source and "plt.show" not in source, "figures go through run.show(fig, name, caption=)"
    assert "start(globals(), ch)" in source and source.count("run.claims(") == 1 and "run.finish()" in source
    assert isinstance(chapter_of(path).BUDGET_S, int), "the chapter package declares its time budget BUDGET_S"
    assert all(c.source.count("run.show(") <= 1 for c in code), "one figure per cell (its caption is the cell's)"
    params = parameter_defaults(parameters_cells(nb)[0])
    glued = re.findall(r"glue\(\s*\"(\w+)\"", source)
    assert not set(glued) & set(params), f"parameters are glued by start(): {set(glued) & set(params)}"


def out_of_range(param: Param, default):
    """A value the parameter rejects for its bounds or choices (None when it has neither): one past a bound, an
    unknown choice, or the default list with its first item so replaced."""
    if param.type is list:
        if isinstance(param.item, Param) or not default:
            return None
        item = out_of_range(Param(param.item, param.low, param.high, param.choices), default[0])
        return None if item is None else [item, *default[1:]]
    if param.choices is not None:
        return "no_such_choice"
    if param.low is not None:
        return param.low - 1
    if param.high is not None:
        return param.high + 1
    return None


def wrong_type(param: Param):
    """A value of another type than the parameter's."""
    return 3 if param.type is str else "abc"


def bad_cases() -> list[tuple[str, dict, str]]:
    """For every chapter, derived from its PARAMS: one out-of-range value per bounded parameter, one wrong type per
    parameter, one unknown name."""
    cases = []
    for path in ALL:
        defaults = parameter_defaults(parameters_cells(read(path))[0])
        for name, param in chapter_of(path).PARAMS.items():
            value = out_of_range(param, defaults[name])
            if value is not None:
                cases.append((path.stem, {name: value}, name))
            cases.append((path.stem, {name: wrong_type(param)}, name))
        cases.append((path.stem, {"no_such_param": 1}, "no_such_param"))
    return cases


BAD = bad_cases()


@pytest.mark.parametrize("slug,bad,name", BAD, ids=[f"{s[:2]}-{n}-{list(b.values())[0]!r:.20}" for s, b, n in BAD])
def test_bad_parameter_fails_in_start_before_anything_is_written(slug, bad, name, tmp_path):
    path = TEMPLATE if slug == TEMPLATE.stem else ROOT / "notebooks" / f"{slug}.ipynb"
    namespace = {**parameter_defaults(parameters_cells(read(path))[0]), **bad}
    with pytest.raises(ParameterError, match=repr(name)):
        start(namespace, chapter_of(path), root=tmp_path)
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
