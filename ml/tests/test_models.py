"""Numbers that can fail: closed forms, a nonlinear truth the trees and the MLP must find, an
additive truth they must not beat, byte-identical reruns, no leakage of held-out rows, refusals."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import simulate, write_features

from pgsflow_ml.activity import fit_nonlinear, fit_nonlinear_request, versions
from pgsflow_ml.features import npy_bytes
from pgsflow_ml.models import BadInputError, fit_model, inner_split, make_problem

ALL = ("covariates", "linear", "elasticnet", "gbdt", "mlp")
ML_DIR = Path(__file__).resolve().parents[1]


def r2(y: np.ndarray, pred: np.ndarray) -> float:
    return 1.0 - float(np.mean((y - pred) ** 2)) / float(np.var(y))


def auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def fit_all(problem, models=ALL):
    return {m: fit_model(m, problem) for m in models}


# --------------------------------------------------------------------------------- closed forms


def test_ols_matches_the_normal_equations():
    X, y, split, c = simulate(n=500, truth="additive", seed=1, extra=3)
    p = make_problem(X, y, split, c, "quantitative", 7, 0.2)
    train = split == 0
    for model, cols in (("linear", X.shape[1]), ("covariates", c)):
        A = np.column_stack([np.ones(len(y)), X[:, :cols]])
        beta = np.linalg.solve(A[train].T @ A[train], A[train].T @ y[train])
        got = fit_model(model, p).prediction
        assert np.max(np.abs(got - A @ beta)) < 1e-10, model


def test_covariates_only_without_covariates_is_the_training_mean():
    X, y, split, _ = simulate(n=200, covariates=0, seed=2)
    p = make_problem(X, y, split, 0, "quantitative", 1, 0.2)
    pred = fit_model("covariates", p).prediction
    assert np.allclose(pred, y[split == 0].mean(), atol=1e-12, rtol=0)


def test_logistic_irls_solves_the_score_equations():
    X, y, split, c = simulate(n=600, trait="binary", seed=3)
    p = make_problem(X, y, split, c, "binary", 7, 0.2)
    prob = fit_model("linear", p).prediction
    train = split == 0
    # At the (almost unpenalised) optimum the residuals are orthogonal to the intercept and every column.
    A = np.column_stack([np.ones(len(y)), X])
    score = A[train].T @ (y[train] - prob[train])
    assert np.max(np.abs(score)) < 1e-3
    assert np.all((prob > 0) & (prob < 1))


# --------------------------------------------------------------------------- the truth decides


def test_trees_and_mlp_find_an_interaction_that_linear_cannot():
    X, y, split, c = simulate(n=1200, truth="interaction", seed=4)
    p = make_problem(X, y, split, c, "quantitative", 1, 0.2)
    ho = split == 1
    fits = fit_all(p, ("linear", "gbdt", "mlp"))
    scores = {m: r2(y[ho], f.prediction[ho]) for m, f in fits.items()}
    # truth: var(2·x1·x2) = 4 vs noise 0.49, covariate 0.09 -> ceiling about 0.89
    assert scores["linear"] < 0.1, scores
    assert scores["gbdt"] > scores["linear"] + 0.5, scores
    assert scores["mlp"] > scores["linear"] + 0.5, scores


def test_binary_interaction_gives_higher_auc_and_probabilities():
    X, y, split, c = simulate(n=1200, truth="interaction", trait="binary", seed=5)
    p = make_problem(X, y, split, c, "binary", 1, 0.2)
    ho = split == 1
    fits = fit_all(p, ("linear", "gbdt", "mlp", "elasticnet"))
    for f in fits.values():
        assert np.all((f.prediction >= 0) & (f.prediction <= 1))
    scores = {m: auc(y[ho], f.prediction[ho]) for m, f in fits.items()}
    assert scores["gbdt"] > scores["linear"] + 0.1, scores
    assert scores["mlp"] > scores["linear"] + 0.1, scores


def test_an_additive_truth_is_not_beaten_by_the_nonlinear_models():
    X, y, split, c = simulate(n=1000, truth="additive", seed=6, extra=5)
    p = make_problem(X, y, split, c, "quantitative", 1, 0.2)
    ho = split == 1
    fits = fit_all(p, ("linear", "elasticnet", "gbdt", "mlp"))
    scores = {m: r2(y[ho], f.prediction[ho]) for m, f in fits.items()}
    assert scores["linear"] > 0.6, scores
    for m in ("elasticnet", "gbdt", "mlp"):
        assert scores[m] <= scores["linear"] + 0.02, scores
    assert abs(scores["elasticnet"] - scores["linear"]) < 0.02, scores


def test_elasticnet_zeroes_pure_noise_columns():
    X, y, split, c = simulate(n=800, truth="additive", seed=7, extra=30)
    p = make_problem(X, y, split, c, "quantitative", 1, 0.2)
    hyper = fit_model("elasticnet", p).hyper
    assert hyper["nonzero"] < X.shape[1], hyper  # some of the 30 noise columns dropped
    assert 0 < hyper["l1Ratio"] <= 1 and hyper["alpha"] > 0


# ------------------------------------------------------------------------------- no leakage


def test_inner_split_is_seeded_stratified_and_within_training_rows():
    X, y, split, c = simulate(n=500, trait="binary", seed=8)
    p = make_problem(X, y, split, c, "binary", 3, 0.25)
    fit, val = inner_split(p)
    train = np.flatnonzero(split == 0)
    assert np.intersect1d(fit, val).size == 0
    assert np.array_equal(np.union1d(fit, val), train)
    assert abs(val.size / train.size - 0.25) < 0.01
    assert abs(y[val].mean() - y[train].mean()) < 0.02  # stratified
    again = inner_split(make_problem(X, y, split, c, "binary", 3, 0.25))
    assert np.array_equal(again[1], val)
    other = inner_split(make_problem(X, y, split, c, "binary", 4, 0.25))
    assert not np.array_equal(other[1], val)


def test_poisoned_heldout_phenotypes_change_no_prediction():
    X, y, split, c = simulate(n=600, truth="interaction", seed=9)
    poisoned = y.copy()
    poisoned[split == 1] = 1e12
    a = fit_all(make_problem(X, y, split, c, "quantitative", 2, 0.2))
    b = fit_all(make_problem(X, poisoned, split, c, "quantitative", 2, 0.2))
    for m in ALL:
        assert npy_bytes(a[m].prediction) == npy_bytes(b[m].prediction), m
        assert a[m].hyper == b[m].hyper, m


def test_flipped_heldout_labels_change_no_prediction():
    X, y, split, c = simulate(n=600, truth="interaction", trait="binary", seed=10)
    flipped = y.copy()
    flipped[split == 1] = 1 - flipped[split == 1]
    a = fit_all(make_problem(X, y, split, c, "binary", 2, 0.2))
    b = fit_all(make_problem(X, flipped, split, c, "binary", 2, 0.2))
    for m in ALL:
        assert npy_bytes(a[m].prediction) == npy_bytes(b[m].prediction), m


# ------------------------------------------------------------------------------ determinism


def _request(features: Path, out: Path, trait: str, models=("linear", "elasticnet", "gbdt", "mlp")) -> dict:
    return {
        "featuresDir": str(features),
        "outDir": str(out),
        "inputs": "pgs+covariates",
        "models": list(models),
        "trait": trait,
        "seed": 5,
        "innerFraction": 0.2,
    }


@pytest.mark.parametrize("trait", ["quantitative", "binary"])
def test_two_runs_in_two_processes_write_identical_bytes(tmp_path, trait):
    X, y, split, c = simulate(n=500, truth="interaction", trait=trait, seed=11)
    feats = write_features(tmp_path / "f", X, y, split, c)
    first = fit_nonlinear_request(_request(feats, tmp_path / "a", trait))
    # The second run in a fresh interpreter with another hash seed: process-level state cannot matter.
    script = (
        "import json,sys; from pgsflow_ml.activity import fit_nonlinear_request as f; "
        "print(json.dumps(f(json.loads(sys.argv[1]))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ML_DIR)}
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(_request(feats, tmp_path / "b", trait))],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )
    second = json.loads(out.stdout.strip().splitlines()[-1])
    for p1, p2 in zip(first["predictions"], second["predictions"]):
        assert p1["model"] == p2["model"]
        assert p1["sha256"] == p2["sha256"], p1["model"]
        assert Path(p1["path"]).read_bytes() == Path(p2["path"]).read_bytes()
        assert p1["hyper"] == p2["hyper"]
    assert first["covariatesOnly"]["sha256"] == second["covariatesOnly"]["sha256"]


# ---------------------------------------------------------------------------- the activity


def test_activity_result_follows_the_contract(tmp_path):
    X, y, split, c = simulate(n=300, seed=12)
    feats = write_features(tmp_path / "f", X, y, split, c)
    beats = []
    res = fit_nonlinear_request(_request(feats, tmp_path / "out" / "nested", "quantitative", ("gbdt", "linear")), beats.append)
    assert set(res) == {"predictions", "covariatesOnly", "versions"}
    assert [p["model"] for p in res["predictions"]] == ["gbdt", "linear"]
    for p in res["predictions"]:
        assert set(p) == {"model", "path", "sha256", "hyper", "seconds"}
        assert p["path"] == str(tmp_path / "out" / "nested" / f"{p['model']}.npy")
        data = Path(p["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == p["sha256"]
        arr = np.load(p["path"])
        assert arr.dtype == np.float64 and arr.shape == (300,)
        assert all(isinstance(v, (int, float, str, bool)) for v in p["hyper"].values())
    assert res["covariatesOnly"]["path"] == str(tmp_path / "out" / "nested" / "covariates.npy")
    assert sorted(os.listdir(tmp_path / "out" / "nested")) == ["covariates.npy", "gbdt.npy", "linear.npy"]  # no temp files
    assert {"python", "numpy", "scipy", "scikit-learn", "lightgbm", "temporalio", "pgsflow-ml"} <= set(res["versions"])
    assert json.loads(json.dumps(res)) == res
    assert beats and all(b["requestKey"] == beats[0]["requestKey"] for b in beats)
    # A retry given the last heartbeat reuses the finished files instead of refitting them.
    again = fit_nonlinear_request(_request(feats, tmp_path / "out" / "nested", "quantitative", ("gbdt", "linear")), previous=beats[-1])
    assert again["predictions"] == res["predictions"]


def test_versions_name_the_installed_libraries():
    v = versions()
    import lightgbm
    import sklearn

    assert v["scikit-learn"] == sklearn.__version__ and v["lightgbm"] == lightgbm.__version__


# ---------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda X, y, s: (X, y[:-1], s), "row counts differ"),
        (lambda X, y, s: (X[:, 0], y, s), "2-dimensional"),
        (lambda X, y, s: (np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), y, s), "X has a non-finite"),
        (lambda X, y, s: (X, np.where(np.arange(y.size) == 3, np.nan, y), s), "y has a non-finite"),
        (lambda X, y, s: (X, y, np.ones_like(s)), "no training rows"),
        (lambda X, y, s: (X, y, np.where(np.arange(s.size) == 0, 2, s).astype(np.int8)), "only 0"),
        (lambda X, y, s: (X, y, s.astype(np.float64)), "integer"),
    ],
)
def test_bad_arrays_are_refused(mutate, message):
    X, y, split, c = simulate(n=100, seed=13)
    X, y, split = mutate(X, y, split)
    with pytest.raises(BadInputError, match=message):
        make_problem(X, y, split, c, "quantitative", 1, 0.2)


def test_bad_binary_and_parameters_are_refused():
    X, y, split, c = simulate(n=100, seed=14, trait="binary")
    with pytest.raises(BadInputError, match="only 0 \\(control\\) and 1"):
        make_problem(X, np.where(np.arange(100) == 0, 0.5, y), split, c, "binary", 1, 0.2)
    with pytest.raises(BadInputError, match="2 cases"):
        make_problem(X, np.zeros(100), split, c, "binary", 1, 0.2)
    with pytest.raises(BadInputError, match="covariates"):
        make_problem(X, y, split, X.shape[1] + 1, "binary", 1, 0.2)
    with pytest.raises(BadInputError, match="innerFraction"):
        make_problem(X, y, split, c, "binary", 1, 1.0)
    with pytest.raises(BadInputError, match="seed"):
        make_problem(X, y, split, c, "binary", -1, 0.2)
    with pytest.raises(BadInputError, match="trait"):
        make_problem(X, y, split, c, "ordinal", 1, 0.2)


def test_bad_requests_and_files_surface_as_non_retryable_application_errors(tmp_path):
    from temporalio.exceptions import ApplicationError
    from temporalio.testing import ActivityEnvironment

    X, y, split, c = simulate(n=100, seed=15)
    feats = write_features(tmp_path / "f", X, y, split, c)
    env = ActivityEnvironment()
    cases = [
        ({**_request(feats, tmp_path / "o", "quantitative"), "models": ["transformer"]}, "unknown model"),
        ({k: v for k, v in _request(feats, tmp_path / "o", "quantitative").items() if k != "seed"}, "lacks seed"),
        (_request(tmp_path / "nowhere", tmp_path / "o", "quantitative"), "not a folder"),
    ]
    (tmp_path / "g").mkdir()
    np.save(tmp_path / "g" / "X.npy", X)
    cases.append((_request(tmp_path / "g", tmp_path / "o", "quantitative"), "y.npy is missing"))
    bad_cols = write_features(tmp_path / "h", X, y, split, c)
    (bad_cols / "columns.json").write_text(json.dumps({"names": ["a"], "covariates": 0}))
    cases.append((_request(bad_cols, tmp_path / "o", "quantitative"), "names 1 columns"))
    nan = write_features(tmp_path / "n", np.where(X > 2.5, np.nan, X), y, split, c)
    cases.append((_request(nan, tmp_path / "o", "quantitative"), "non-finite"))
    for req, message in cases:
        with pytest.raises(ApplicationError, match=message) as caught:
            env.run(fit_nonlinear, req)
        assert caught.value.type == "BadInputError" and caught.value.non_retryable, message


def test_activity_keeps_heartbeating_during_a_fit_and_stops_after(tmp_path, monkeypatch):
    import threading

    from temporalio.testing import ActivityEnvironment

    import pgsflow_ml.activity as act

    monkeypatch.setattr(act, "KEEPALIVE_SECONDS", 0.005)
    X, y, split, c = simulate(n=400, truth="interaction", seed=16)
    feats = write_features(tmp_path / "f", X, y, split, c)
    env = ActivityEnvironment()
    beats = []
    env.on_heartbeat = lambda *d: beats.append(d[0])
    res = env.run(act.fit_nonlinear, _request(feats, tmp_path / "o", "quantitative", ("gbdt", "mlp")))
    assert [p["model"] for p in res["predictions"]] == ["gbdt", "mlp"]
    stages = [b["stage"] for b in beats]
    assert stages[0] == "start" and stages[-1] == "mlp done"
    assert len(beats) > 20  # keep-alive beats repeat the latest details between progress beats
    assert not [t for t in threading.enumerate() if t.name == "fitNonlinear-keepalive"]
