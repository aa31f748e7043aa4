"""The run context: a figure shown in the notebook is the file written, and outputs appear only at finish()."""

import json
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from paperbook.core.claims import CHECK, CLAIM_HARD, SPEC, CheckFailed, Claims, at_least, at_most  # noqa: E402
from paperbook.core.display import FIGURE_KEY, ClaimsOutput, TableOutput  # noqa: E402
from paperbook.core.params import COMMON, ParameterError  # noqa: E402
from paperbook.core.run import OUTPUT_ENV, RECORD_ENV, output_dir, start  # noqa: E402

PARAMS = {"profile": "fast", "seed": 1, "device": "cpu"}


def chapter(check=lambda params: []):
    return SimpleNamespace(SLUG="99_test", PARAMS=COMMON, check=check)


def test_show_writes_the_png_it_returns_and_finish_publishes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(RECORD_ENV, "1")
    with start(PARAMS, chapter(), threads=1, root=tmp_path) as run:
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        shown = run.show(fig, "fig-line", caption="A line.")
        assert not plt.fignum_exists(fig.number), "the figure is closed after it is written"
        data, meta = shown._repr_mimebundle_()
        assert meta[FIGURE_KEY]["figure"] == {"name": "fig-line", "caption": "A line."}
        assert not (tmp_path / "figures" / "99_test").exists(), "nothing is published before finish()"
        run.finish()
        written = tmp_path / "figures" / "99_test" / "fig-line.png"
        assert written.read_bytes() == shown.png
        record = json.loads((written.parent / "provenance.json").read_text())
        assert record["seed"] == 1 and "lib/paperbook/core/run.py" not in record["sources"]  # not under tmp_path/lib
        last = capsys.readouterr().out.splitlines()[-1]
        assert f"run {record['run_id']}" in last, "finish prints the provenance line"


def test_only_runs_of_record_write_the_committed_figures(tmp_path, monkeypatch):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    assert output_dir(tmp_path, "01_x", "fast") == tmp_path / ".cache" / "figures" / "01_x"
    assert output_dir(tmp_path, "01_x", "full") == tmp_path / ".cache" / "figures" / "01_x"
    monkeypatch.setenv(RECORD_ENV, "1")
    assert output_dir(tmp_path, "01_x", "fast") == tmp_path / "figures" / "01_x"
    assert output_dir(tmp_path, "01_x", "full") == tmp_path / "figures" / "01_x-full", "full never replaces fast"
    with pytest.raises(ParameterError, match="custom"):
        output_dir(tmp_path, "01_x", "custom")


def test_figure_and_table_names_are_checked(tmp_path):
    with start(PARAMS, chapter(), threads=1, root=tmp_path) as run:
        with pytest.raises(ValueError, match="fig-"):
            run.show(plt.figure(), "line", caption="x")
        with pytest.raises(ValueError, match="caption"):
            run.show(plt.figure(), "fig-line", caption=" ")
        with pytest.raises(ValueError, match="tab-"):
            run.table(pd.DataFrame({"a": [1]}), "errors")


def test_table_writes_csv_and_prints_rounded_text(tmp_path, capsys):
    with start(PARAMS, chapter(), threads=1, root=tmp_path) as run:
        capsys.readouterr()
        run.table(pd.DataFrame({"n": [1, 2], "err": [0.123456789, 1e-9]}), "tab-x", digits=2, significant=True)
        assert capsys.readouterr().out.split() == ["n", "err", "1", "0.12", "2", "1e-09"]
        assert (run.out.partial / "tab-x.csv").read_text().splitlines() == ["n,err", "1,0.123457", "2,1e-09"]
        out = TableOutput(pd.DataFrame({"err": [0.123456]}), "tab-y", 2, False, "Table 99.2", "Errors.")
        data = out._repr_mimebundle_()
        assert data["text/plain"].split() == ["err", "0.12"]
        assert "<b>Table 99.2.</b> Errors." in data["text/html"] and ">0.12<" in data["text/html"]


def test_claims_saves_glues_quotes_and_shows_one_deterministic_table(tmp_path):
    with start(PARAMS, chapter(), threads=1, root=tmp_path) as run:
        claims = Claims()
        claims.add("C1", "s", "p", 0.5, at_least(0.1), kind=CLAIM_HARD, source="Fig 1", origin=SPEC)
        claims.add("K1", "machinery", "-", 0.0, at_most(0.0), kind=CHECK, source="code", origin=SPEC)
        claims.quote("c1_value", 0.5)
        run.claims(claims)
        shown = ClaimsOutput(claims.table(), 1)._repr_mimebundle_()
        assert "C1" in shown["text/plain"] and "+0.400" in shown["text/plain"], "the text nbval compares has margins"
        first, second = (ClaimsOutput(claims.table(), 1)._repr_mimebundle_()["text/html"] for _ in range(2))
        assert first == second and "#d8f0d8" in first, "the HTML carries no random id, and colours the verdict"
        assert first.count("<table") == 1 and "Checks of our own machinery" in first
        assert pd.read_csv(run.out.partial / "claims.csv")["verdict"].tolist() == ["reproduced", "holds"]


def test_a_failed_check_raises_after_the_table_is_shown(tmp_path):
    with start(PARAMS, chapter(), threads=1, root=tmp_path) as run:
        claims = Claims()
        claims.add("K1", "machinery", "-", 1.0, at_most(0.0), kind=CHECK, source="code", origin=SPEC)
        with pytest.raises(CheckFailed, match="K1"):
            run.claims(claims)


def test_process_wide_settings_last_until_finish_or_the_end_of_a_with_block(tmp_path):
    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(), matplotlib.rcParams["figure.dpi"])
    with start(PARAMS, chapter(), threads=1, root=tmp_path) as run:
        assert torch.are_deterministic_algorithms_enabled() and torch.get_num_threads() == 1
        run.finish()
        assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(),
                matplotlib.rcParams["figure.dpi"]) == before
        with start(PARAMS, chapter(), threads=1, root=tmp_path):
            assert torch.are_deterministic_algorithms_enabled()
        assert torch.are_deterministic_algorithms_enabled() == before[1]


def test_a_sweep_task_writes_where_it_is_told(tmp_path, monkeypatch):
    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path / "seed-3"))
    monkeypatch.setenv(RECORD_ENV, "1")
    assert output_dir(tmp_path, "01_x", "fast") == tmp_path / "seed-3"


def test_cross_parameter_check_fails_before_anything_is_written(tmp_path):
    def check(params):
        return ["seed must be even"] if params["seed"] % 2 else []

    with pytest.raises(ParameterError, match="seed must be even"):
        start(PARAMS, chapter(check), root=tmp_path)
    assert not list(tmp_path.iterdir()), "nothing is written before the parameters are checked"
