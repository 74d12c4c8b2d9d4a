"""A throwaway JupyterLab for the notebook widget's browser test: `jupyter lab` from this venv on a free loopback
port, with its own token and every config, data and runtime directory in a temporary directory (nothing of the
user's Jupyter setup is read or written), stopped and deleted afterwards. The kernel imports convlab from this
checkout (PYTHONPATH)."""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(path: pathlib.Path, cells: list[str]) -> None:
    """Write a notebook of code cells (nbformat 4, the venv's python3 kernel)."""
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": src} for i, src in enumerate(cells)]}
    path.write_text(json.dumps(nb), encoding="utf-8")


class JupyterLab:
    """`with JupyterLab() as lab: lab.url("lesson.ipynb")`; lab.root is the notebooks' directory."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="convlab-jupyter-")
        base = pathlib.Path(self.tmp.name)
        self.root = base / "notebooks"
        self.root.mkdir()
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.log_path = base / "jupyter.log"
        dirs = {name: base / name for name in ("config", "data", "runtime", "settings", "workspaces", "home")}
        for d in dirs.values():
            d.mkdir()
        venv_data = pathlib.Path(sys.prefix) / "share" / "jupyter"        # anywidget's and ipywidgets' lab extensions
        self.env = {**os.environ, "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
                    "JUPYTER_PATH": str(venv_data), "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
                    "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
                    "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]), "HOME": str(dirs["home"]),
                    "IPYTHONDIR": str(dirs["home"] / ".ipython"), "JUPYTER_PLATFORM_DIRS": "1",
                    "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def __enter__(self) -> JupyterLab:
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", "--ServerApp.terminals_enabled=False",
             "--LabApp.extension_manager=readonly", "--LabApp.news_url=",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={self.token}",
                                            timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)               # polling the server's own answer, with a deadline
        self.__exit__(None, None, None)
        raise RuntimeError("jupyter lab did not answer within 120 s")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/{name}?token={self.token}"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        self.tmp.cleanup()
