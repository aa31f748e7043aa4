"""The run context: a figure shown in the notebook is the file written, and outputs appear only at finish()."""

import json

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from paperbook.params import COMMON, ParameterError  # noqa: E402
from paperbook.run import start  # noqa: E402


def test_show_writes_the_png_it_returns_and_finish_publishes(tmp_path):
    run = start({"profile": "fast", "seed": 1, "device": "cpu"}, COMMON, slug="99_test", threads=1, root=tmp_path)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    image = run.show(fig, "fig-line")
    assert not plt.fignum_exists(fig.number), "the figure is closed after it is written"
    assert not (tmp_path / "figures" / "99_test").exists(), "nothing is published before finish()"
    record = run.finish()
    written = tmp_path / "figures" / "99_test" / "fig-line.png"
    assert written.read_bytes() == image.data
    assert json.loads((written.parent / "provenance.json").read_text())["seed"] == record["seed"] == 1


def test_cross_parameter_check_fails_before_anything_is_written(tmp_path):
    def check(params):
        return ["seed must be even"] if params["seed"] % 2 else []

    with pytest.raises(ParameterError, match="seed must be even"):
        start({"profile": "fast", "seed": 1, "device": "cpu"}, COMMON, slug="99_test", root=tmp_path, check=check)
    assert not (tmp_path / "figures").exists()
