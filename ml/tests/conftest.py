"""Simulated folds with a known truth, shared by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pgsflow_ml  # noqa: F401  (pins BLAS threads before numpy loads)
import numpy as np


def simulate(
    n: int = 800,
    truth: str = "additive",
    trait: str = "quantitative",
    seed: int = 0,
    covariates: int = 2,
    extra: int = 0,
    heldout: float = 0.25,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """X = [covariates…, x1, x2, extra noise columns…]; y from the truth; split with ~25 % held out.

    additive:    y = 0.3·c1 + 1.0·x1 + 0.5·x2 + noise
    interaction: y = 0.3·c1 + 2.0·x1·x2 + noise
    Binary traits threshold a logistic draw of the same linear predictor.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, covariates + 2 + extra))
    c1 = X[:, 0] if covariates else 0.0
    x1, x2 = X[:, covariates], X[:, covariates + 1]
    if truth == "additive":
        eta = 0.3 * c1 + 1.0 * x1 + 0.5 * x2
    elif truth == "interaction":
        eta = 0.3 * c1 + 2.0 * x1 * x2
    else:
        raise ValueError(truth)
    if trait == "quantitative":
        y = eta + rng.normal(scale=0.7, size=n)
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
    split = (rng.random(n) < heldout).astype(np.int8)
    return np.ascontiguousarray(X), y, split, covariates


def write_features(d: Path, X: np.ndarray, y: np.ndarray, split: np.ndarray, covariates: int) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    np.save(d / "X.npy", X)
    np.save(d / "y.npy", y)
    np.save(d / "split.npy", split.astype(np.int8))
    names = [f"c{i}" for i in range(covariates)] + [f"x{i}" for i in range(X.shape[1] - covariates)]
    (d / "columns.json").write_text(json.dumps({"names": names, "covariates": covariates}))
    return d


# A process that ran a Temporal client can abort in interpreter finalisation ("Fatal Python
# error: PyGILState_Release", temporalio/sdk-python#300): after an integration test, end pytest
# with its own exit status once everything is reported, skipping finalisation.
TEMPORAL_USED = {"flag": False}
_STATUS = {"code": 0}


def pytest_sessionfinish(session, exitstatus):
    _STATUS["code"] = int(exitstatus)


def pytest_unconfigure(config):
    if TEMPORAL_USED["flag"]:
        import os
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_STATUS["code"])
