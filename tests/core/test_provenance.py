"""Staleness: a recorded run is stale when a module it imported, its notebook or a pinned version changed."""

import json
import sys

from paperbook.core.provenance import notebook_hash, source_hashes, stale_reasons


def tree(tmp_path):
    """A checkout with one library module (imported) and one notebook."""
    (tmp_path / "lib" / "paperbook").mkdir(parents=True)
    module = tmp_path / "lib" / "paperbook" / "toy_stale.py"
    module.write_text("VALUE = 1\n")
    nb = tmp_path / "notebooks" / "01_toy.ipynb"
    nb.parent.mkdir()
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": ["x = 1\n"]}]}))
    return module, nb


def test_a_changed_module_or_notebook_makes_a_run_stale(tmp_path, monkeypatch):
    module, nb = tree(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    monkeypatch.setitem(sys.modules, "paperbook.toy_stale", type(sys)("paperbook.toy_stale"))
    sys.modules["paperbook.toy_stale"].__file__ = str(module)
    record = {"sources": source_hashes(tmp_path), "notebook": notebook_hash(nb), "distributions": {}}
    assert list(record["sources"]) == ["lib/paperbook/toy_stale.py"]
    assert stale_reasons(tmp_path, record, nb) == []
    module.write_text("VALUE = 2\n")
    nb.write_text(nb.read_text().replace("x = 1", "x = 2"))
    assert stale_reasons(tmp_path, record, nb) == ["lib/paperbook/toy_stale.py changed",
                                                   "notebooks/01_toy.ipynb changed"]
    module.unlink()
    assert "lib/paperbook/toy_stale.py no longer exists" in stale_reasons(tmp_path, record, nb)


def test_another_version_of_a_distribution_makes_a_run_stale(tmp_path):
    _, nb = tree(tmp_path)
    record = {"sources": {}, "notebook": notebook_hash(nb), "distributions": {"numpy": "0.0.1"}}
    assert stale_reasons(tmp_path, record, nb)[0].startswith("numpy 0.0.1 -> ")


def test_a_record_without_hashes_is_stale(tmp_path):
    _, nb = tree(tmp_path)
    assert stale_reasons(tmp_path, {"commit": "abc"}, nb) != []


def test_injected_parameters_do_not_change_the_notebook_hash(tmp_path):
    _, nb = tree(tmp_path)
    before = notebook_hash(nb)
    cells = json.loads(nb.read_text())["cells"]
    cells.insert(0, {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]}, "source": ["seed = 3\n"]})
    nb.write_text(json.dumps({"cells": cells}))
    assert notebook_hash(nb) == before
