"""The run context every chapter uses: validated parameters, seeding, device, staged outputs, provenance.

    run = start(globals(), PARAMS, slug="02_am_clustering")   # fails on bad parameters, before compute
    run.savefig(fig, "fig-basins"); run.save_table(df, "tab-sc"); run.save_claims(claims); run.finish()
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import torch

from .artifacts import StagedDir
from .claims import Claims
from .params import Param, ParameterError, as_config, from_namespace

PACKAGES = ("paperbook", "torch", "numpy", "scipy", "pandas", "scikit-learn", "matplotlib", "seaborn", "transformers",
            "papermill", "jupyter-book")


def repo_root(start: Path | None = None) -> Path:
    """The checkout's root: $PAPERBOOK_ROOT, else the first parent of `start` (or cwd) holding lib/paperbook."""
    if os.environ.get("PAPERBOOK_ROOT"):
        return Path(os.environ["PAPERBOOK_ROOT"]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "lib" / "paperbook").is_dir():
            return folder
    raise FileNotFoundError(f"no paperbook checkout above {here}; set PAPERBOOK_ROOT")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch and ask torch for deterministic kernels."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # needed by deterministic cuBLAS
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def pick_device(name: str = "auto") -> torch.device:
    """'auto' = CUDA when present, else CPU; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} requested but CUDA is not available")
    return torch.device(name)


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
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def hardware(device: torch.device) -> dict[str, Any]:
    info = {"machine": platform.machine(), "system": platform.system(), "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "device": device.type}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


class Run:
    """One execution of a chapter: where its outputs go and what it records about itself."""

    def __init__(self, slug: str, params: dict[str, Any], root: Path, threads: int):
        self.slug, self.root = slug, root
        self.params = params
        self.config = as_config(params, f"Params_{slug}")
        self.seed = int(params["seed"])
        torch.set_num_threads(threads)
        seed_everything(self.seed)
        self.device = pick_device(params.get("device", "auto"))
        self.out = StagedDir(root / "figures" / slug)
        self.started = time.perf_counter()
        self.commit = git_commit(root)

    def generator(self, offset: int = 0) -> torch.Generator:
        """A CPU torch.Generator seeded from the run's seed (offset separates experiments)."""
        return torch.Generator().manual_seed(self.seed + offset)

    def savefig(self, fig, name: str, dpi: int = 110):
        """Write `name`.png into the run's outputs (no timestamp metadata) and return the figure."""
        fig.savefig(self.out.path(f"{name}.png"), dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        return fig

    def show(self, fig, name: str, dpi: int = 110):
        """Write `name`.png, close the figure and return the PNG for the notebook to display: the figure is
        rendered once, not once for the file and again for the inline backend."""
        import matplotlib.pyplot as plt
        from IPython.display import Image

        self.savefig(fig, name, dpi)
        plt.close(fig)
        return Image(data=self.out.path(f"{name}.png").read_bytes())

    def save_table(self, df: pd.DataFrame, name: str, digits: int = 4) -> pd.DataFrame:
        """Write `name`.csv (floats rounded to `digits`) and return the frame."""
        df.round(digits).to_csv(self.out.path(f"{name}.csv"), index=False)
        return df

    def save_claims(self, claims: Claims) -> pd.DataFrame:
        return self.save_table(claims.table(), "claims")

    def finish(self) -> dict[str, Any]:
        """Write provenance.json and move this run's outputs into figures/<slug>/."""
        record = {
            "chapter": self.slug, "commit": self.commit, "profile": self.params.get("profile", "fast"),
            "seed": self.seed, "params": self.params, "versions": versions(), "hardware": hardware(self.device),
            "wall_time_s": round(time.perf_counter() - self.started, 1),
            "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self.out.path("provenance.json").write_text(json.dumps(record, indent=2) + "\n")
        self.out.commit()
        return record

    def describe(self) -> str:
        return (f"{self.slug}: profile={self.params.get('profile', 'fast')} device={self.device.type} "
                f"seed={self.seed} commit={self.commit}")


def start(namespace: Mapping[str, Any], spec: Mapping[str, Param], *, slug: str, threads: int = 2,
          root: Path | None = None, check: Callable[[dict[str, Any]], list[str]] | None = None) -> Run:
    """Validate the notebook's parameters (raising ParameterError before any compute) and open a Run.

    `check` returns the problems that involve several parameters at once (e.g. more queries than memories).
    """
    params = from_namespace(namespace, spec)
    problems = check(params) if check else []
    if problems:
        raise ParameterError("inconsistent papermill parameters:\n  - " + "\n  - ".join(problems))
    run = Run(slug, params, root or repo_root(), threads)
    print(run.describe())
    return run


__all__ = ["Run", "start", "seed_everything", "pick_device", "repo_root"]
