"""The `fitNonlinear` activity (contracts/nonlinear.ts): read a fold's feature files, fit the
requested models and the covariates-only model, write `<outDir>/<model>.npy` and
`<outDir>/covariates.npy` atomically, and return paths, hashes, chosen hyper-parameters and
library versions.

Errors: inputs that no retry can fix raise a non-retryable ApplicationError of type
`BadInputError` (or `GuardError` for a fit with non-finite predictions, `DiskFullError` for a
full disk), the names of contracts/errorTypes.ts; anything else is an ordinary, retryable
failure.

Heartbeats: between models and every second or so inside a fit, with the models finished so
far as details; a retry (say after the worker was killed) reuses the finished models whose files
still hash the same, and refits the rest (deterministic, so the result is identical).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import platform
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from . import FIT_NONLINEAR_ACTIVITY, NONLINEAR_INPUTS, NONLINEAR_MODELS, __version__
from .features import DiskFullError, load_features, npy_bytes, sha256_file, write_atomic
from .models import BadInputError, GuardError, fit_model, make_problem

Heartbeat = Callable[[dict[str, Any]], None]


def _source_hash() -> str:
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("numpy", "scipy", "scikit-learn", "lightgbm", "temporalio"):
        out[dist] = metadata.version(dist)
    out["pgsflow-ml"] = f"{__version__}+{_source_hash()}"
    return out


def parse_request(request: Any) -> dict[str, Any]:
    """Check the request's fields (camelCase, as in contracts/nonlinear.ts)."""
    if not isinstance(request, dict):
        raise BadInputError(f"the request must be an object, got {type(request).__name__}")
    missing = [k for k in ("featuresDir", "outDir", "inputs", "models", "trait", "seed", "innerFraction") if k not in request]
    if missing:
        raise BadInputError(f"the request lacks {', '.join(missing)}")
    for k in ("featuresDir", "outDir"):
        if not isinstance(request[k], str) or not request[k]:
            raise BadInputError(f"{k} must be a non-empty path")
    if request["inputs"] not in NONLINEAR_INPUTS:
        raise BadInputError(f"inputs must be one of {', '.join(NONLINEAR_INPUTS)}, got {request['inputs']!r}")
    models = request["models"]
    if not isinstance(models, list) or not models:
        raise BadInputError("models must be a non-empty list")
    for m in models:
        if m not in NONLINEAR_MODELS:
            raise BadInputError(f"unknown model {m!r} (known: {', '.join(NONLINEAR_MODELS)})")
    if len(set(models)) != len(models):
        raise BadInputError(f"models lists one twice: {models}")
    seed = request["seed"]
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    return {**request, "seed": seed}


def fit_nonlinear_request(
    request: Any, heartbeat: Heartbeat = lambda _: None, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The activity's work without Temporal: ``heartbeat`` receives progress details,
    ``previous`` the last details of an earlier attempt (finished models to reuse)."""
    req = parse_request(request)
    X, y, split, _names, covariates = load_features(req["featuresDir"])
    problem = make_problem(X, y, split, covariates, req["trait"], req["seed"], req["innerFraction"])
    out_dir = Path(req["outDir"])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadInputError(f"outDir {out_dir} cannot be created: {e}") from None

    # Temporary files of an attempt killed mid-write (write_atomic names them .<name>.npy.*.tmp).
    for name in ["covariates", *req["models"]]:
        for stale in out_dir.glob(f".{name}.npy.*.tmp"):
            stale.unlink(missing_ok=True)

    key = hashlib.sha256(json.dumps(req, sort_keys=True).encode()).hexdigest()
    done: dict[str, dict[str, Any]] = {}
    if previous and previous.get("requestKey") == key and isinstance(previous.get("done"), dict):
        for name, rec in previous["done"].items():
            path = out_dir / f"{name}.npy"
            if isinstance(rec, dict) and path.is_file() and sha256_file(path) == rec.get("sha256"):
                done[name] = rec
    last_beat = 0.0

    def beat(stage: str, force: bool = False) -> None:
        nonlocal last_beat
        now = time.monotonic()
        if force or now - last_beat >= 1.0:
            last_beat = now
            heartbeat({"requestKey": key, "stage": stage, "done": dict(done)})

    beat("start", force=True)
    for name in ["covariates", *req["models"]]:
        if name in done:
            continue
        beat(f"{name} start", force=True)
        started = time.perf_counter()
        result = fit_model(name, problem, lambda stage: beat(stage))
        path = out_dir / f"{name}.npy"
        sha = write_atomic(path, npy_bytes(result.prediction))
        done[name] = {"path": str(path), "sha256": sha, "hyper": result.hyper, "seconds": round(time.perf_counter() - started, 3)}
        beat(f"{name} done", force=True)

    return {
        "predictions": [{"model": m, **done[m]} for m in req["models"]],
        "covariatesOnly": {"path": done["covariates"]["path"], "sha256": done["covariates"]["sha256"]},
        "versions": versions(),
    }


#: Seconds between the keep-alive thread's heartbeats: a single long fit step (a saga path point,
#: a LightGBM Dataset on many rows, a large least-squares solve) must not look like a dead worker.
KEEPALIVE_SECONDS = 10.0


@activity.defn(name=FIT_NONLINEAR_ACTIVITY)
def fit_nonlinear(request: dict[str, Any]) -> dict[str, Any]:
    details = activity.info().heartbeat_details
    previous = details[0] if details and isinstance(details[0], dict) else None
    latest: list[dict[str, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def send(d: dict[str, Any]) -> None:
        with lock:
            latest[:] = [d]
        activity.heartbeat(d)

    def keepalive() -> None:
        # Beats while this process lives, so a killed worker is noticed within the heartbeat
        # timeout and a working one never is; it also carries cancellation to the fit.
        while not stop.wait(KEEPALIVE_SECONDS):
            with lock:
                d = latest[0] if latest else None
            if d is not None:
                try:
                    activity.heartbeat(d)
                except Exception:  # noqa: BLE001 - the activity may be finishing
                    pass

    beater = threading.Thread(target=contextvars.copy_context().run, args=(keepalive,), name="fitNonlinear-keepalive", daemon=True)
    beater.start()
    try:
        return fit_nonlinear_request(request, send, previous)
    except BadInputError as e:
        raise ApplicationError(str(e), type="BadInputError", non_retryable=True) from e
    except GuardError as e:
        raise ApplicationError(str(e), type="GuardError", non_retryable=True) from e
    except DiskFullError as e:
        raise ApplicationError(str(e), type="DiskFullError", non_retryable=True) from e
    finally:
        stop.set()
        beater.join()
