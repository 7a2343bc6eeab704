"""The fold's feature files (contracts/nonlinear.ts) and atomic writes of predictions."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .models import BadInputError

FEATURE_FILES = ("X.npy", "y.npy", "split.npy", "columns.json")


class DiskFullError(OSError):
    """No space left where the predictions go (not retryable until space is freed)."""


def _load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise BadInputError(f"feature file {path} is missing") from None
    except (ValueError, OSError, EOFError) as e:
        raise BadInputError(f"{path} is not a readable .npy array: {e}") from None


def load_features(features_dir: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], int]:
    """X, y, split, column names and the covariate count from a feature folder."""
    d = Path(features_dir)
    if not d.is_dir():
        raise BadInputError(f"featuresDir {features_dir} is not a folder")
    X = _load_npy(d / "X.npy")
    y = _load_npy(d / "y.npy")
    split = _load_npy(d / "split.npy")
    try:
        columns = json.loads((d / "columns.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInputError(f"feature file {d / 'columns.json'} is missing") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise BadInputError(f"{d / 'columns.json'} is not JSON: {e}") from None
    if not isinstance(columns, dict):
        raise BadInputError(f"{d / 'columns.json'} must be an object {{names, covariates}}")
    names = columns.get("names")
    covariates = columns.get("covariates")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BadInputError(f"{d / 'columns.json'}: names must be a list of strings")
    if isinstance(covariates, bool) or not isinstance(covariates, int):
        raise BadInputError(f"{d / 'columns.json'}: covariates must be an integer")
    if X.ndim == 2 and len(names) != X.shape[1]:
        raise BadInputError(f"{d / 'columns.json'} names {len(names)} columns, X.npy has {X.shape[1]}")
    return X, y, split, names, covariates


def npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a, dtype=np.float64), allow_pickle=False)
    return buf.getvalue()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_atomic(path: str | Path, data: bytes) -> str:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so a
    killed process leaves either the old file or the new one, never half of one. Returns sha256."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; other workers (the TypeScript store) read these
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(e.errno, f"no space left writing {path}: {e.strerror}") from None
        raise
    return hashlib.sha256(data).hexdigest()
