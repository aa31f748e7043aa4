"""What a run records about itself (commit, versions, hardware, content hashes of the code it ran) and whether a
recorded run is stale: produced by other code than the checkout holds."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

PACKAGES = ("paperbook", "torch", "numpy", "scipy", "pandas", "scikit-learn", "matplotlib", "seaborn", "transformers",
            "papermill", "jupyter-book")


def git_commit(root: Path) -> str:
    """HEAD's short hash, with '+dirty' when tracked library files differ from it; 'unknown' outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "lib"], cwd=root,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def versions() -> dict[str, str]:
    """Python and the versions of the packages a chapter's numbers depend on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def hardware(device: torch.device) -> dict[str, Any]:
    """Machine, CPU count, torch threads and the device (with the GPU's name on CUDA)."""
    info = {"machine": platform.machine(), "system": platform.system(), "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "device": device.type}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


TOOLING = {"paperbook", "pip", "setuptools", "wheel"}  # not pinned by constraints.txt; no result depends on them


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def source_hashes(root: Path) -> dict[str, str]:
    """Content hash of every paperbook module this process imported, by path relative to the checkout."""
    lib = (root / "lib").resolve()
    out = {}
    for name, module in sorted(sys.modules.items()):
        path = Path(getattr(module, "__file__", None) or "")
        if name.split(".")[0] == "paperbook" and path.suffix == ".py" and path.resolve().is_relative_to(lib):
            out[path.resolve().relative_to(root.resolve()).as_posix()] = _sha(path.read_bytes())
    return out


def notebook_hash(path: Path) -> str | None:
    """Content hash of a notebook's cell sources (outputs and papermill's injected-parameters cell excluded)."""
    if not path.exists():
        return None
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if "injected-parameters" not in c["metadata"].get("tags", [])]
    return _sha(json.dumps(sources).encode())


def distributions() -> dict[str, str]:
    """Name -> version of every installed distribution behind a module this process imported."""
    owners = metadata.packages_distributions()
    names = {dist for top in {m.split(".")[0] for m in list(sys.modules)} for dist in owners.get(top, [])}
    return {name: metadata.version(name) for name in sorted(names, key=str.lower)}


def stale_reasons(root: Path, record: dict, notebook: Path) -> list[str]:
    """Why a recorded run is not what the checkout would produce: a module it imported or its notebook changed, or
    a distribution behind its imports now has another version (constraints.txt pins them all)."""
    reasons = []
    if "sources" not in record:
        return ["provenance records no source hashes (produced before they were recorded)"]
    for rel, digest in record["sources"].items():
        path = root / rel
        if not path.exists():
            reasons.append(f"{rel} no longer exists")
        elif _sha(path.read_bytes()) != digest:
            reasons.append(f"{rel} changed")
    if notebook_hash(notebook) != record.get("notebook"):
        reasons.append(f"{notebook.relative_to(root)} changed")
    for name, version in record.get("distributions", {}).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version and name.lower() not in TOOLING:
            reasons.append(f"{name} {version} -> {installed}")
    return reasons
