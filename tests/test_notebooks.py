"""Contract tests over every chapter notebook: parameters, full profile, hygiene, fail-fast on bad input."""

from __future__ import annotations

import re

import papermill as pm
import pytest
import yaml

from paperbook.chapters import param_spec
from paperbook.params import validate
from notebook_utils import NOTEBOOKS, ROOT, parameter_annotations, parameter_defaults, parameters_cells, read

IDS = [p.stem for p in NOTEBOOKS]


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks/NN_<slug>.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_parameters_cell_first_with_typed_literals(path):
    nb = read(path)
    cells = parameters_cells(nb)
    assert len(cells) == 1, "exactly one cell tagged `parameters`"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is cells[0], "the parameters cell must be the first code cell (unknown-name detection)"
    defaults = parameter_defaults(cells[0])
    for line in cells[0].source.splitlines():
        assert "#" in line, f"every parameter needs a comment (papermill --help-notebook shows it): {line}"
    spec = param_spec(path.stem)
    assert set(defaults) == set(spec), "parameters cell and declared spec disagree"
    validate(defaults, spec)
    for name, (annotation, _) in parameter_annotations(cells[0]).items():
        expected = spec[name].type.__name__ + (f"[{spec[name].item.__name__}]" if spec[name].item else "")
        assert annotation == expected, f"{name}: annotated {annotation}, spec says {expected}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_full_profile_is_valid(path):
    full = ROOT / "notebooks" / "params" / f"{path.stem}.full.yaml"
    assert full.exists(), f"missing {full.relative_to(ROOT)}"
    overrides = yaml.safe_load(full.read_text())
    defaults = parameter_defaults(parameters_cells(read(path))[0])
    assert set(overrides) <= set(defaults), f"unknown keys {set(overrides) - set(defaults)}"
    validate({**defaults, **overrides}, param_spec(path.stem))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_hygiene(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = "\n".join(c.source for c in code)
    assert not re.search(r"^\s*[!%]\s*pip\s+install", source, re.M), "installs packages from a cell"
    assert not re.search(r"/(work|tmp|root|home)/", source), "absolute path in a code cell"
    assert all(c.get("outputs") for c in code if "parameters" not in c.metadata.get("tags", [])), \
        "committed without outputs: run `make golden`"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"], "committed with an error output"
    assert any("nbval-check-output" in c.metadata.get("tags", []) for c in code), "no cell compared by nbval"
    assert (ROOT / "figures" / path.stem / "claims.csv").exists(), "figures/<slug>/claims.csv not committed"
    toc = (ROOT / "book" / "_toc.yml").read_text()
    assert f"chapters/{path.stem}" in toc, "chapter missing from book/_toc.yml"


CH01, CH02 = "01_dense_am_random_features", "02_am_clustering"
BAD = [(CH02, {"no_such_param": 1}, "no_such_param"), (CH02, {"num_clusters": -3}, "num_clusters"),
       (CH02, {"clam_lrs": "abc"}, "clam_lrs"), (CH02, {"abl_lr": "abc"}, "abl_lr"), (CH02, {"lr": 0.1}, "lr"),
       (CH01, {"err_Ys": [1000]}, "err_Ys"), (CH01, {"abl_dataset": "mnist"}, "abl_dataset"),
       (CH01, {"beta": 30.0}, "beta"), (CH01, {"ret_alpha": -0.1}, "ret_alpha"), (CH01, {"ret_nq": 21}, "ret_nq")]


@pytest.mark.slow
@pytest.mark.parametrize("slug,params,name", BAD, ids=[f"{s[:2]}-{n}" for s, _, n in BAD])
def test_bad_parameter_fails_before_compute(slug, params, name, tmp_path, monkeypatch):
    """papermill with a bad parameter stops in the setup cell with a message naming the parameter."""
    monkeypatch.setenv("PAPERBOOK_ROOT", str(tmp_path))  # a run that got past setup would write here
    (tmp_path / "lib" / "paperbook").mkdir(parents=True)
    path = ROOT / "notebooks" / f"{slug}.ipynb"
    out = tmp_path / "out.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(path), str(out), parameters=params, cwd=str(ROOT / "notebooks"),
                            progress_bar=False, kernel_name="python3")
    assert err.value.ename == "ParameterError"
    assert repr(name) in err.value.evalue
    executed = read(out)
    setup = next(i for i, c in enumerate(executed.cells) if "start(globals()" in c.source)
    assert all(not c.get("outputs") for c in executed.cells[setup + 1:] if c.cell_type == "code")
    assert not (tmp_path / "figures").exists(), "outputs were written before the parameters were checked"
