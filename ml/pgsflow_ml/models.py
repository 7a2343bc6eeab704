"""The models of issue 20, as pure functions over arrays (no Temporal, no files).

Every model is fitted on the fold's training rows only (``split == 0``). Hyper-parameters and
early stopping come from an *inner* split of those training rows (a fraction ``inner_fraction``
held back, drawn with ``seed``, stratified by class for binary traits); the held-out rows
(``split == 1``) are never seen before the final prediction, which covers every row of ``X``.

Models:
  linear      OLS (quantitative) or logistic regression by Newton-IRLS with a tiny ridge
              (binary) on every column, fitted on all training rows: the baseline;
  elasticnet  standardised features; alpha and l1_ratio chosen on the inner split, then refitted
              on all training rows (coordinate descent; binary: saga logistic elastic net);
  gbdt        LightGBM, deterministic, one thread; num_leaves and learning_rate chosen and the
              rounds early-stopped on the inner split, then refitted on all training rows with
              the chosen rounds;
  mlp         scikit-learn MLP (adam) on standardised inputs (and standardised phenotype for a
              quantitative trait), trained epoch by epoch on the inner-fit rows; hidden sizes and
              L2 alpha chosen by the best inner-validation loss, and the weights of the best epoch
              kept (as scikit-learn's own early stopping does).
The covariates-only model is ``linear`` on the first ``covariates`` columns (intercept only when
there are none).

Binary traits use logistic losses throughout and predict the probability of a case.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np

Trait = Literal["quantitative", "binary"]
Hyper = dict[str, "int | float | str | bool"]
Progress = Callable[[str], None]

MODELS = ("linear", "elasticnet", "gbdt", "mlp")

#: Ridge added to the logistic regression's Hessian (standardised features, intercept free):
#: keeps the fit finite under separation, negligible otherwise.
LOGISTIC_RIDGE = 1e-6

ENET_L1_RATIOS = (0.1, 0.5, 0.9)
ENET_N_ALPHAS = 25
ENET_ALPHA_SPAN = 1e-3  # smallest alpha = largest × span
LOGIT_ENET_N_C = 10
LOGIT_ENET_C_SPAN = 1e3  # largest C = smallest (all-zero) × span
LOGIT_ENET_PATIENCE = 2  # C values past the path's best before it stops

GBDT_GRID = tuple((leaves, rate) for leaves in (4, 15) for rate in (0.05, 0.1))
GBDT_MAX_ROUNDS = 2000
GBDT_PATIENCE = 50
GBDT_MIN_DATA_IN_LEAF = 20

# Strong L2 on the grid: on a fold of the demo (300 SNPs + covariates, 2,880 inner-fit rows) the
# old grid (32 / 64×32, alpha 1e-4 / 1e-2) reached held-out R² 0.304 in 19.8 s; this one 0.344 in
# 8.9 s (the elastic net: 0.448). scikit-learn divides alpha by the batch size.
MLP_GRID = tuple((hidden, alpha) for hidden in ((16,), (64, 32)) for alpha in (1e-2, 1.0, 10.0))
MLP_MAX_EPOCHS = 300
MLP_PATIENCE = 20
MLP_BATCH = 64
MLP_LEARNING_RATE = 3e-3


class BadInputError(ValueError):
    """Inputs that no retry can fix (shapes, NaN, no training rows, a single class, …)."""


class GuardError(RuntimeError):
    """A fit that produced an unusable result (non-finite predictions)."""


@dataclass
class FitResult:
    prediction: np.ndarray  # float64 (n,)
    hyper: Hyper = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """Validated inputs of one fold."""

    X: np.ndarray  # float64 (n, p), C order
    y: np.ndarray  # float64 (n,)
    split: np.ndarray  # int8 (n,)
    covariates: int
    trait: Trait
    seed: int
    inner_fraction: float

    @property
    def train(self) -> np.ndarray:
        return np.flatnonzero(self.split == 0)


def _noop(_: str) -> None:
    pass


# ---------------------------------------------------------------------------------------------
# validation and the inner split


def make_problem(
    X: np.ndarray,
    y: np.ndarray,
    split: np.ndarray,
    covariates: int,
    trait: str,
    seed: int,
    inner_fraction: float,
) -> Problem:
    """Check the inputs and return them as a Problem, or raise BadInputError saying why."""
    if trait not in ("quantitative", "binary"):
        raise BadInputError(f"trait must be 'quantitative' or 'binary', got {trait!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise BadInputError(f"seed must be a non-negative integer, got {seed!r}")
    if (
        isinstance(inner_fraction, bool)
        or not isinstance(inner_fraction, (int, float, np.floating))
        or not (0.0 < float(inner_fraction) < 1.0)
    ):
        raise BadInputError(f"innerFraction must be in (0, 1), got {inner_fraction!r}")
    X = np.asarray(X)
    y = np.asarray(y)
    split = np.asarray(split)
    if X.ndim != 2:
        raise BadInputError(f"X must be 2-dimensional (n, p), got shape {X.shape}")
    if y.ndim != 1:
        raise BadInputError(f"y must be 1-dimensional (n,), got shape {y.shape}")
    if split.ndim != 1:
        raise BadInputError(f"split must be 1-dimensional (n,), got shape {split.shape}")
    n, p = X.shape
    if y.shape[0] != n or split.shape[0] != n:
        raise BadInputError(f"row counts differ: X has {n} rows, y {y.shape[0]}, split {split.shape[0]}")
    if p == 0:
        raise BadInputError("X has no columns")
    for name, a in (("X", X), ("y", y)):
        if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
            raise BadInputError(f"{name} must be numeric (float64), got dtype {a.dtype}")
    if not np.issubdtype(split.dtype, np.integer):
        raise BadInputError(f"split must be integer (int8), got dtype {split.dtype}")
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if not np.all(np.isfinite(X)):
        bad = np.argwhere(~np.isfinite(X))[0]
        raise BadInputError(f"X has a non-finite value (NaN or ±inf), first at row {bad[0]}, column {bad[1]}")
    if not np.all(np.isfinite(y)):
        raise BadInputError(f"y has a non-finite value (NaN or ±inf), first at row {int(np.flatnonzero(~np.isfinite(y))[0])}")
    if np.any((split != 0) & (split != 1)):
        raise BadInputError("split must hold only 0 (training) and 1 (held-out)")
    split = split.astype(np.int8)
    if isinstance(covariates, bool) or not isinstance(covariates, (int, np.integer)) or not (0 <= covariates <= p):
        raise BadInputError(f"covariates must be an integer in [0, {p}], got {covariates!r}")
    train = np.flatnonzero(split == 0)
    if train.size == 0:
        raise BadInputError("no training rows (split has no 0)")
    if trait == "binary":
        if np.any((y != 0) & (y != 1)):
            raise BadInputError("a binary trait's y must hold only 0 (control) and 1 (case)")
        cases = int(np.sum(y[train]))
        controls = int(train.size - cases)
        if cases < 2 or controls < 2:
            raise BadInputError(f"the training rows need at least 2 cases and 2 controls, have {cases} and {controls}")
    elif train.size < 4:
        raise BadInputError(f"at least 4 training rows are needed, have {train.size}")
    problem = Problem(X, y, split, int(covariates), trait, int(seed), float(inner_fraction))
    inner_split(problem)  # raises when the inner split would leave a side empty
    return problem


def inner_split(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (into X) of the inner-fit and inner-validation rows: training rows only.

    A fraction ``inner_fraction`` of the training rows (of each class, for a binary trait) is
    drawn for validation with a generator seeded by ``seed``; at least one row goes each way.
    """
    train = problem.train
    rng = np.random.default_rng(problem.seed)
    strata = [train[problem.y[train] == c] for c in (0.0, 1.0)] if problem.trait == "binary" else [train]
    val_parts = []
    for rows in strata:
        k = int(round(problem.inner_fraction * rows.size))
        k = min(max(k, 1), rows.size - 1)
        if k < 1:
            raise BadInputError(f"too few training rows ({rows.size}) for an inner split")
        val_parts.append(rng.permutation(rows)[:k])
    val = np.sort(np.concatenate(val_parts))
    fit = np.setdiff1d(train, val, assume_unique=True)
    if fit.size < 2 or val.size < 2:
        raise BadInputError(
            f"the inner split of {train.size} training rows at fraction {problem.inner_fraction} leaves "
            f"{fit.size} to fit and {val.size} to validate (need 2 each)"
        )
    return fit, val


def _sub_seed(seed: int, purpose: int) -> int:
    """A 31-bit seed for a library (LightGBM, scikit-learn) derived from the study seed."""
    return int(np.random.SeedSequence([seed, purpose]).generate_state(1, dtype=np.uint32)[0] & 0x7FFFFFFF)


def _standardiser(X: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = X[rows].mean(axis=0)
    sd = X[rows].std(axis=0)
    sd[~(sd > 0)] = 1.0  # a constant column stays constant (0 after centring)
    return mean, sd


def _logloss(y: np.ndarray, prob: np.ndarray) -> float:
    p = np.clip(prob, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def _mse(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean((y - pred) ** 2))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(z)


# ---------------------------------------------------------------------------------------------
# linear baseline


def ols(X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Least squares with an intercept: (intercept, coefficients). Minimum-norm when rank-deficient."""
    A = np.empty((X.shape[0], X.shape[1] + 1))
    A[:, 0] = 1.0
    A[:, 1:] = X
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(beta[0]), beta[1:]


def logistic_irls(
    X: np.ndarray, y: np.ndarray, ridge: float = LOGISTIC_RIDGE, max_iter: int = 200, tol: float = 1e-10
) -> tuple[float, np.ndarray, int, bool]:
    """Logistic regression by Newton-IRLS with step halving; the ridge ``ridge/2·‖b‖²`` spares the
    intercept. Returns (intercept, coefficients, iterations, converged)."""
    n, p = X.shape
    Z = np.empty((n, p + 1))
    Z[:, 0] = 1.0
    Z[:, 1:] = X
    pen = np.full(p + 1, ridge)
    pen[0] = 0.0
    ybar = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    b = np.zeros(p + 1)
    b[0] = math.log(ybar / (1 - ybar))

    def objective(beta: np.ndarray) -> float:
        eta = Z @ beta
        return float(np.sum(np.logaddexp(0.0, eta) - y * eta) + 0.5 * np.sum(pen * beta * beta))

    f = objective(b)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        prob = _sigmoid(Z @ b)
        w = prob * (1 - prob)
        grad = Z.T @ (y - prob) - pen * b
        H = (Z * w[:, None]).T @ Z + np.diag(pen) + 1e-12 * np.eye(p + 1)
        step = np.linalg.solve(H, grad)
        t = 1.0
        while True:
            cand = b + t * step
            fc = objective(cand)
            if fc <= f + 1e-12 * abs(f) or t < 1e-10:
                break
            t *= 0.5
        done = float(np.max(np.abs(t * step))) < tol or abs(f - fc) <= tol * max(1.0, abs(f))
        b, f = cand, fc
        if done:
            converged = True
            break
    return float(b[0]), b[1:], it, converged


def _linear_on(problem: Problem, cols: slice) -> FitResult:
    X = problem.X[:, cols]
    train = problem.train
    y = problem.y[train]
    if problem.trait == "quantitative":
        a, b = ols(X[train], y)
        pred = a + X @ b if X.shape[1] else np.full(X.shape[0], a)
        return FitResult(pred, {"solver": "lstsq", "trainRows": int(train.size), "columns": int(X.shape[1])})
    mean, sd = _standardiser(X, train) if X.shape[1] else (np.zeros(0), np.ones(0))
    Zs = (X - mean) / sd
    a, b, iters, converged = logistic_irls(Zs[train], y)
    pred = _sigmoid(a + Zs @ b)
    return FitResult(
        pred,
        {
            "solver": "irls",
            "ridge": LOGISTIC_RIDGE,
            "iterations": iters,
            "converged": converged,
            "trainRows": int(train.size),
            "columns": int(X.shape[1]),
        },
    )


def fit_linear(problem: Problem, progress: Progress = _noop) -> FitResult:
    return _linear_on(problem, slice(None))


def fit_covariates_only(problem: Problem, progress: Progress = _noop) -> FitResult:
    return _linear_on(problem, slice(0, problem.covariates))


# ---------------------------------------------------------------------------------------------
# elastic net


def fit_elasticnet(problem: Problem, progress: Progress = _noop) -> FitResult:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet, LogisticRegression, enet_path

    train = problem.train
    fit_rows, val_rows = inner_split(problem)
    mean, sd = _standardiser(problem.X, train)
    Z = (problem.X - mean) / sd
    y = problem.y
    hyper: Hyper = {"innerFitRows": int(fit_rows.size), "innerValRows": int(val_rows.size)}
    warned = False

    if problem.trait == "quantitative":
        zf_mean = Z[fit_rows].mean(axis=0)
        yf_mean = float(y[fit_rows].mean())
        Zf = Z[fit_rows] - zf_mean
        yf = y[fit_rows] - yf_mean
        Zv = Z[val_rows] - zf_mean
        best = (math.inf, 0.0, 0.0)
        for l1 in ENET_L1_RATIOS:
            progress(f"elasticnet l1_ratio={l1}")
            alpha_max = float(np.max(np.abs(Zf.T @ yf))) / (fit_rows.size * l1)
            if not alpha_max > 0:
                alpha_max = 1.0
            alphas = alpha_max * np.geomspace(1.0, ENET_ALPHA_SPAN, ENET_N_ALPHAS)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                _, coefs, _ = enet_path(Zf, yf, l1_ratio=l1, alphas=alphas, max_iter=10000, tol=1e-7)
            warned = warned or any(issubclass(w.category, ConvergenceWarning) for w in caught)
            for j, alpha in enumerate(alphas):
                loss = _mse(y[val_rows], yf_mean + Zv @ coefs[:, j])
                if loss < best[0]:
                    best = (loss, float(alpha), l1)
        loss, alpha, l1 = best
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model = ElasticNet(alpha=alpha, l1_ratio=l1, max_iter=10000, tol=1e-7, selection="cyclic")
            model.fit(Z[train], y[train])
        warned = warned or any(issubclass(w.category, ConvergenceWarning) for w in caught)
        pred = model.predict(Z)
        hyper.update(
            alpha=alpha, l1Ratio=l1, innerValMse=loss, nonzero=int(np.count_nonzero(model.coef_)), converged=not warned
        )
        return FitResult(np.asarray(pred, dtype=np.float64), hyper)

    # binary: saga logistic elastic net; objective C·Σloss + l1·‖w‖₁ + (1−l1)/2·‖w‖²
    rs = _sub_seed(problem.seed, 11)
    yf = y[fit_rows]
    best = (math.inf, 0.0, 0.0)
    for l1 in ENET_L1_RATIOS:
        progress(f"elasticnet l1_ratio={l1}")
        grad0 = float(np.max(np.abs(Z[fit_rows].T @ (yf - yf.mean()))))
        c_min = l1 / grad0 if grad0 > 0 else 1.0
        model = LogisticRegression(
            C=c_min, l1_ratio=l1, solver="saga", max_iter=500, tol=1e-4, random_state=rs, warm_start=True
        )
        ratio_best, worse = math.inf, 0
        for C in c_min * np.geomspace(1.0, LOGIT_ENET_C_SPAN, LOGIT_ENET_N_C):
            model.set_params(C=float(C))
            progress(f"elasticnet l1_ratio={l1} C={C:.4g}")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                model.fit(Z[fit_rows], yf)
            warned = warned or any(issubclass(w.category, ConvergenceWarning) for w in caught)
            loss = _logloss(y[val_rows], model.predict_proba(Z[val_rows])[:, 1])
            if loss < best[0]:
                best = (loss, float(C), l1)
            # Weaker penalties only overfit more once the validation loss has risen twice in a
            # row, and they are where saga is slowest: stop this path there (as glmnet does).
            if loss < ratio_best:
                ratio_best, worse = loss, 0
            else:
                worse += 1
                if worse >= LOGIT_ENET_PATIENCE:
                    break
    loss, C, l1 = best
    # C multiplies a sum over rows: keep the per-row penalty when refitting on all training rows.
    C_final = C * fit_rows.size / train.size
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LogisticRegression(C=C_final, l1_ratio=l1, solver="saga", max_iter=2000, tol=1e-6, random_state=rs)
        model.fit(Z[train], y[train])
    warned = warned or any(issubclass(w.category, ConvergenceWarning) for w in caught)
    pred = model.predict_proba(Z)[:, 1]
    hyper.update(
        C=C_final, l1Ratio=l1, innerValLogLoss=loss, nonzero=int(np.count_nonzero(model.coef_)), converged=not warned
    )
    return FitResult(np.asarray(pred, dtype=np.float64), hyper)


# ---------------------------------------------------------------------------------------------
# gradient-boosted trees


def fit_gbdt(problem: Problem, progress: Progress = _noop) -> FitResult:
    import lightgbm as lgb

    train = problem.train
    fit_rows, val_rows = inner_split(problem)
    binary = problem.trait == "binary"
    base = {
        "objective": "binary" if binary else "regression",
        "metric": "binary_logloss" if binary else "l2",
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": 1,
        "seed": _sub_seed(problem.seed, 21),
        "min_data_in_leaf": GBDT_MIN_DATA_IN_LEAF,
        "lambda_l2": 1.0,
        "bagging_fraction": 1.0,
        "feature_fraction": 1.0,
        "max_bin": 255,
        "verbosity": -1,
    }
    X, y = problem.X, problem.y
    best: tuple[float, int, float, int] = (math.inf, 0, 0.0, 0)
    for leaves, rate in GBDT_GRID:
        progress(f"gbdt num_leaves={leaves} learning_rate={rate}")
        params = {**base, "num_leaves": leaves, "learning_rate": rate}
        dfit = lgb.Dataset(X[fit_rows], y[fit_rows], params=params, free_raw_data=True)
        dval = lgb.Dataset(X[val_rows], y[val_rows], reference=dfit, params=params, free_raw_data=True)

        def tick(env: "lgb.callback.CallbackEnv", leaves: int = leaves) -> None:
            progress(f"gbdt num_leaves={leaves} round {env.iteration}")

        booster = lgb.train(
            params,
            dfit,
            num_boost_round=GBDT_MAX_ROUNDS,
            valid_sets=[dval],
            valid_names=["inner"],
            callbacks=[lgb.early_stopping(GBDT_PATIENCE, verbose=False), tick],
        )
        rounds = max(int(booster.best_iteration), 1)
        loss = float(booster.best_score["inner"][base["metric"]])
        if loss < best[0]:
            best = (loss, leaves, rate, rounds)
    loss, leaves, rate, rounds = best
    params = {**base, "num_leaves": leaves, "learning_rate": rate}
    booster = lgb.train(params, lgb.Dataset(X[train], y[train], params=params), num_boost_round=rounds)
    pred = booster.predict(X)
    hyper: Hyper = {
        "numLeaves": leaves,
        "learningRate": rate,
        "rounds": rounds,
        "minDataInLeaf": GBDT_MIN_DATA_IN_LEAF,
        "lambdaL2": 1.0,
        ("innerValLogLoss" if binary else "innerValMse"): loss,
        "innerFitRows": int(fit_rows.size),
        "innerValRows": int(val_rows.size),
    }
    return FitResult(np.asarray(pred, dtype=np.float64), hyper)


# ---------------------------------------------------------------------------------------------
# multilayer perceptron


def fit_mlp(problem: Problem, progress: Progress = _noop) -> FitResult:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    train = problem.train
    fit_rows, val_rows = inner_split(problem)
    binary = problem.trait == "binary"
    mean, sd = _standardiser(problem.X, train)
    Z = (problem.X - mean) / sd
    if binary:
        target = problem.y.astype(np.int64)
        y_mean, y_sd = 0.0, 1.0
    else:
        y_mean = float(problem.y[train].mean())
        y_sd = float(problem.y[train].std()) or 1.0
        target = (problem.y - y_mean) / y_sd
    Zf, tf = Z[fit_rows], target[fit_rows]
    Zv, tv = Z[val_rows], target[val_rows]
    batch = min(MLP_BATCH, fit_rows.size)

    best_loss, best_model, best_cfg, best_epoch = math.inf, None, None, 0
    for k, (hidden, alpha) in enumerate(MLP_GRID):
        rs = np.random.RandomState(_sub_seed(problem.seed, 31 + k))
        cls = MLPClassifier if binary else MLPRegressor
        model = cls(
            hidden_layer_sizes=hidden,
            activation="relu",
            solver="adam",
            alpha=alpha,
            batch_size=batch,
            learning_rate_init=MLP_LEARNING_RATE,
            shuffle=True,
            random_state=rs,
        )
        cfg_loss, cfg_model, cfg_epoch = math.inf, None, 0
        for epoch in range(1, MLP_MAX_EPOCHS + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                if binary:
                    model.partial_fit(Zf, tf, classes=np.array([0, 1]))
                else:
                    model.partial_fit(Zf, tf)
            if binary:
                loss = _logloss(tv.astype(np.float64), model.predict_proba(Zv)[:, 1])
            else:
                loss = _mse(tv, model.predict(Zv))
            if not math.isfinite(loss):
                break
            if loss < cfg_loss:
                cfg_loss, cfg_model, cfg_epoch = loss, copy.deepcopy(model), epoch
            elif epoch - cfg_epoch >= MLP_PATIENCE:
                break
            progress(f"mlp hidden={hidden} alpha={alpha} epoch {epoch}")
        if cfg_model is not None and cfg_loss < best_loss:
            best_loss, best_model, best_cfg, best_epoch = cfg_loss, cfg_model, (hidden, alpha), cfg_epoch
    if best_model is None or best_cfg is None:
        raise GuardError("the MLP's inner-validation loss was never finite")
    if binary:
        pred = best_model.predict_proba(Z)[:, 1]
    else:
        pred = y_mean + y_sd * best_model.predict(Z)
    hidden, alpha = best_cfg
    hyper: Hyper = {
        "hidden": "x".join(str(h) for h in hidden),
        "alpha": alpha,
        "epochs": best_epoch,
        "batchSize": batch,
        "learningRate": MLP_LEARNING_RATE,
        ("innerValLogLoss" if binary else "innerValMse"): best_loss * (1.0 if binary else y_sd * y_sd),
        "innerFitRows": int(fit_rows.size),
        "innerValRows": int(val_rows.size),
    }
    return FitResult(np.asarray(pred, dtype=np.float64), hyper)


# ---------------------------------------------------------------------------------------------

FITTERS: dict[str, Callable[[Problem, Progress], FitResult]] = {
    "linear": fit_linear,
    "elasticnet": fit_elasticnet,
    "gbdt": fit_gbdt,
    "mlp": fit_mlp,
}


def fit_model(model: str, problem: Problem, progress: Progress = _noop) -> FitResult:
    """Fit one model (or ``"covariates"``, the covariates-only linear model) with BLAS on one thread."""
    from threadpoolctl import threadpool_limits

    fitter = fit_covariates_only if model == "covariates" else FITTERS.get(model)
    if fitter is None:
        raise BadInputError(f"unknown model {model!r} (known: {', '.join(MODELS)})")
    with threadpool_limits(limits=1):
        result = fitter(problem, progress)
    pred = np.ascontiguousarray(result.prediction, dtype=np.float64).reshape(-1)
    if pred.shape[0] != problem.X.shape[0]:
        raise GuardError(f"{model}: {pred.shape[0]} predictions for {problem.X.shape[0]} rows")
    if not np.all(np.isfinite(pred)):
        raise GuardError(f"{model}: non-finite predictions")
    result.prediction = pred
    return result
