"""What a run records about itself: commit, package versions, hardware."""

from __future__ import annotations

import os
import platform
import subprocess
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
