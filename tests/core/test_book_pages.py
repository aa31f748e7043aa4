"""Which run a page shows, the claims table read across a sweep, and whether a rerun agreed with its golden."""

import json

import nbformat
import pandas as pd

from paperbook.core.book import GLUE_TEXT, rerun_agreement, show_sweep
from paperbook.core.claims import CHECK, CLAIM_HARD, SPEC, Claims, at_least, at_most
from paperbook.core.display import ClaimsOutput, claims_html
from paperbook.core.stability import stability


def claims_table(value: float) -> pd.DataFrame:
    claims = Claims()
    claims.add("E2", "a gap", "0.1", value, at_least(0.05), kind=CLAIM_HARD, source="text", origin=SPEC)
    claims.add("K1", "machinery", "-", 0.0, at_most(0.0), kind=CHECK, source="code", origin=SPEC)
    return claims.table()


def test_the_book_reads_a_claim_across_the_seeds_of_its_sweep():
    by_seed = pd.concat([claims_table(v).assign(seed=s) for s, v in enumerate([0.2, 0.1, 0.01])])
    sweep = stability(by_seed).set_index("id")
    assert sweep.loc["E2", "across_seeds"] == "seed-dependent (2/3)" and sweep.loc["K1", "across_seeds"] == "holds"
    html = claims_html(claims_table(0.2), seed=0, sweep=sweep)
    assert "<th>seeds</th>" in html and ">2/3<" in html and "seed-dependent (2/3)" in html
    assert "seed 0: reproduced" in html, "the seed-0 verdict stays visible"
    nb = nbformat.v4.new_notebook()
    glued = nbformat.v4.new_output("display_data", data={GLUE_TEXT: "'reproduced'"},
                                   metadata={"scrapbook": {"name": "e2_verdict"}})
    nb.cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data=ClaimsOutput(claims_table(0.2), 0)._repr_mimebundle_()), glued])]
    show_sweep(nb, claims_table(0.2), 0, sweep)
    assert "seed-dependent (2/3)" in nb.cells[0].outputs[0]["data"]["text/html"]
    assert nb.cells[0].outputs[1]["data"][GLUE_TEXT] == "'seed-dependent (2/3)'", "the prose quotes the sweep"


def write_run(folder, params, value):
    folder.mkdir(parents=True)
    (folder / "provenance.json").write_text(json.dumps({"params": params, "sources": {}, "notebook": None}))
    claims_table(value).to_csv(folder / "claims.csv", index=False)


def test_a_rerun_agrees_with_its_golden_or_names_the_claims_that_differ(tmp_path):
    assert rerun_agreement(tmp_path, "01_x") == "not rerun"
    params = {"seed": 0, "profile": "fast"}
    write_run(tmp_path / "figures" / "01_x", params, 0.2)
    write_run(tmp_path / ".cache" / "figures" / "01_x", params, 0.2)
    assert rerun_agreement(tmp_path, "01_x") == "agrees"
    write_run(tmp_path / "figures" / "02_y", params, 0.2)
    write_run(tmp_path / ".cache" / "figures" / "02_y", params, 0.01)
    assert rerun_agreement(tmp_path, "02_y") == "differs: E2"
    write_run(tmp_path / "figures" / "03_z", params, 0.2)
    write_run(tmp_path / ".cache" / "figures" / "03_z", {"seed": 3, "profile": "fast"}, 0.01)
    assert rerun_agreement(tmp_path, "03_z") == "not rerun", "a scratch run at other parameters is no rerun"



def test_a_check_not_run_at_some_seeds_is_read_where_it_ran():
    from paperbook.core.sweep import read_where_run

    by_seed = pd.concat([claims_table(0.2).assign(seed=s) for s in range(3)], ignore_index=True)
    by_seed.loc[(by_seed["id"] == "K1") & (by_seed["seed"] > 0), "verdict"] = "not run"
    sweep = stability(read_where_run(by_seed)).set_index("id")
    assert (sweep.loc["K1", "across_seeds"], sweep.loc["K1", "seeds"]) == ("holds", 1)
    assert sweep.loc["E2", "seeds"] == 3
