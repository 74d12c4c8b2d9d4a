"""The bundled data sets and the faces model's real-photo check, each made once per test process (one per
pytest-xdist worker) and shared by every test that reads it: the faces' 10,000 images take seconds to make and the
real-photo check seconds to run, and tests in several modules read them. Read what these return; never change it."""

from __future__ import annotations

import functools

from convlab.datasets.base import Dataset


@functools.cache
def dataset(name: str) -> Dataset:
    """convlab.datasets.registry.load_dataset(name), made once: the very object the pages read in this process (the
    app's shared copy, ui.models.shared_dataset), so that a worker that runs both library and page tests makes the
    faces' images once, not twice."""
    from ui.models import shared_dataset
    return shared_dataset(name)


@functools.cache
def real_check(name: str):
    """convlab.networks.face_checks.real_check(name) of a bundled model, run once."""
    from convlab.networks.face_checks import real_check as check
    return check(name)
