"""Finished models kept server-side under a short id, so a reload or a link (/occlusion?model=<id>) brings them
back: the safetensors bytes with their JSON spec (convlab.networks.modelio) and a little metadata, in the class store,
kept as long as classes (CONVLAB_RETENTION_DAYS) and at most CONVLAB_MODEL_MAX_MB (default 8) each.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from convlab.networks.modelio import load_model
from ui.store.retention import maybe_purge
from ui.store.db import ClassError, reading, retention_days, writing
from ui.store.schema import models

__all__ = ["StoredModel", "save_model_bytes", "load_model_bytes", "keep_until", "valid_id", "max_bytes", "ID_LENGTH"]

ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ID_LENGTH = 10
_ID = re.compile(f"^[{ID_ALPHABET}]{{{ID_LENGTH}}}$")
DEFAULT_MAX_MB = 8
log = logging.getLogger("convlab.store")


def valid_id(text: str) -> bool:
    """Whether `text` has the shape of a stored model's id (it may still be unknown or expired).

    >>> valid_id("k7qm4xrpab"), valid_id("mine"), valid_id("<script>")
    (True, False, False)
    """
    return bool(_ID.match(str(text)))


def max_bytes() -> int:
    raw = os.environ.get("CONVLAB_MODEL_MAX_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        mb = -1
    if not 0 < mb <= 50:
        log.warning("CONVLAB_MODEL_MAX_MB=%r is not a size from 0 to 50 MB; using %s", raw, DEFAULT_MAX_MB)
        mb = DEFAULT_MAX_MB
    return int(mb * 2**20)


@dataclass(frozen=True)
class StoredModel:
    id: str
    data: bytes                 # safetensors written by convlab.networks.modelio.save_model
    meta: dict                  # dataset, source (and what modelio's header says: spec, input_shape, classes)
    expires_at: float


def save_model_bytes(data: bytes, dataset: str, source: str, run: dict | None = None) -> str:
    """Store a model (the bytes of convlab.networks.modelio.save_model) and return its id. The same bytes stored again
    get the same id (and are kept longer). `run`: how it was trained (JSON: the curves, the last confusion
    matrix, the settings), so a reload of the training lab shows the run again; at most 256 KB of it."""
    if len(data) > max_bytes():
        raise ClassError(f"this model is {len(data) / 2**20:.1f} MB; models kept on the server are at most "
                         f"{max_bytes() / 2**20:.0f} MB: save it as a file instead")
    _, header = load_model(bytes(data))                    # refuses anything convlab could not load again
    meta = {"dataset": str(dataset)[:40], "source": str(source)[:200], "input_shape": header["input_shape"],
            "classes": header["classes"]}
    if run is not None:
        text = json.dumps(run)
        if len(text) <= 256 * 1024:                  # a few hundred points per curve: far below this
            meta["run"] = run
    digest = hashlib.sha256(data).hexdigest()
    now = time.time()
    maybe_purge(now)
    until = now + retention_days() * 86400
    with writing() as conn:
        same = conn.execute(sa.select(models.c.id, models.c.meta).where(models.c.sha256 == digest,
                                                                        models.c.expires_at > now)).all()
        for model_id, stored in same:
            old = json.loads(stored)
            if old.get("dataset") == meta["dataset"]:
                values = {"expires_at": until}
                if "run" in meta and "run" not in old:
                    values["meta"] = json.dumps({**old, "run": meta["run"]})
                conn.execute(models.update().where(models.c.id == model_id).values(**values))
                return model_id
        model_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        conn.execute(models.insert().values(id=model_id, sha256=digest, meta=json.dumps(meta), data=bytes(data),
                                            size=len(data), created_at=now, expires_at=until))
    return model_id


def load_model_bytes(model_id: str) -> StoredModel:
    """The stored model with this id, or ClassError saying it is unknown or expired."""
    if not valid_id(model_id):
        raise ClassError(f"{str(model_id)[:20]!r} is not a model id (10 letters and digits): check the link")
    with reading() as conn:
        row = conn.execute(sa.select(models).where(models.c.id == model_id, models.c.expires_at > time.time())).first()
    if row is None:
        raise ClassError(f"the model {model_id} is not stored here (models are kept {retention_days():g} days): train "
                         "or load it again, or choose another model")
    return StoredModel(row.id, bytes(row.data), json.loads(row.meta), row.expires_at)


def keep_until(model_id: str, until: float) -> None:
    """Keep a model at least until `until` (e.g. while the class it is shared with lasts)."""
    load_model_bytes(model_id)
    with writing() as conn:
        conn.execute(models.update().where(models.c.id == model_id, models.c.expires_at < until)
                     .values(expires_at=until))
