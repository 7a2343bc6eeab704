"""The worker against a real Temporal dev server: `python -m pgsflow_ml.worker` as a process,
a workflow (tests/_probe_workflow.py) starting `fitNonlinear` on its task queue, a bad request
failing once and non-retryably, SIGTERM shutting down cleanly, and SIGKILL mid-fit retried on a
new worker with identical files. Skipped when no `temporal` CLI is found ($TEMPORAL_CLI_PATH,
PATH, <project>/.tools/bin/temporal)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import TEMPORAL_USED, simulate, write_features

from pgsflow_ml.activity import fit_nonlinear_request

ML_DIR = Path(__file__).resolve().parents[1]
PROJECT = ML_DIR.parent


def find_temporal_cli() -> str | None:
    explicit = os.environ.get("TEMPORAL_CLI_PATH")
    if explicit:
        return explicit
    on_path = shutil.which("temporal")
    if on_path:
        return on_path
    local = PROJECT / ".tools" / "bin" / "temporal"
    return str(local) if os.access(local, os.X_OK) else None


CLI = find_temporal_cli()
pytestmark = pytest.mark.skipif(CLI is None, reason="no temporal CLI (npm run setup:temporal builds one)")


class WorkerProcess:
    def __init__(self, address: str, queue: str):
        env = {**os.environ, "PYTHONPATH": str(ML_DIR)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pgsflow_ml.worker", "--address", address, "--task-queue", queue],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        self.queue = queue

    async def ready(self, timeout: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        line = await asyncio.wait_for(loop.run_in_executor(None, self.proc.stdout.readline), timeout)
        assert line.strip() == f"pgsflow-ml worker ready on {self.queue}", (line, self.proc.stderr.read() if self.proc.poll() is not None else "")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


async def _start_env():
    from temporalio.testing import WorkflowEnvironment

    TEMPORAL_USED["flag"] = True
    return await WorkflowEnvironment.start_local(dev_server_existing_path=CLI, ui=False, dev_server_log_level="error")


def _request(feats: Path, out: Path, models: list[str]) -> dict:
    return {
        "featuresDir": str(feats), "outDir": str(out), "inputs": "snps+covariates", "models": models,
        "trait": "quantitative", "seed": 3, "innerFraction": 0.2,
    }


def test_worker_serves_fit_nonlinear_and_refuses_bad_input(tmp_path):
    from temporalio.client import WorkflowFailureError
    from temporalio.exceptions import ActivityError, ApplicationError
    from temporalio.worker import Worker

    from _probe_workflow import FitNonlinearProbe

    X, y, split, c = simulate(n=400, truth="interaction", seed=20)
    feats = write_features(tmp_path / "features", X, y, split, c)
    expected = fit_nonlinear_request(_request(feats, tmp_path / "reference", ["linear", "elasticnet", "gbdt", "mlp"]))

    async def scenario() -> None:
        env = await _start_env()
        queue = f"pgsflow-ml-{uuid.uuid4().hex[:8]}"
        worker = WorkerProcess(env.client.service_client.config.target_host, queue)
        try:
            await worker.ready()
            async with Worker(env.client, task_queue="probe", workflows=[FitNonlinearProbe]):
                req = _request(feats, tmp_path / "out", ["linear", "elasticnet", "gbdt", "mlp"])
                result = await env.client.execute_workflow(
                    FitNonlinearProbe.run, {"request": req, "taskQueue": queue}, id=f"probe-{uuid.uuid4()}", task_queue="probe"
                )
                assert [p["model"] for p in result["predictions"]] == ["linear", "elasticnet", "gbdt", "mlp"]
                for got, want in zip(result["predictions"], expected["predictions"]):
                    assert got["sha256"] == want["sha256"] and got["hyper"] == want["hyper"], got["model"]
                    assert Path(got["path"]).read_bytes() == Path(want["path"]).read_bytes()
                assert result["covariatesOnly"]["sha256"] == expected["covariatesOnly"]["sha256"]
                assert result["versions"] == expected["versions"]

                bad = {**req, "featuresDir": str(tmp_path / "missing")}
                wf_id = f"probe-bad-{uuid.uuid4()}"
                with pytest.raises(WorkflowFailureError) as caught:
                    await env.client.execute_workflow(
                        FitNonlinearProbe.run, {"request": bad, "taskQueue": queue}, id=wf_id, task_queue="probe"
                    )
                activity_error = caught.value.cause
                assert isinstance(activity_error, ActivityError)
                app = activity_error.cause
                assert isinstance(app, ApplicationError) and app.type == "BadInputError" and app.non_retryable
                assert "not a folder" in app.message
                attempts = [
                    e.activity_task_started_event_attributes.attempt
                    async for e in env.client.get_workflow_handle(wf_id).fetch_history_events()
                    if e.HasField("activity_task_started_event_attributes")
                ]
                assert attempts == [1]  # not retried
        finally:
            code = worker.stop(signal.SIGTERM)
            await env.shutdown()
        assert code == 0, worker.proc.stderr.read()

    asyncio.run(scenario())


def test_sigkill_mid_fit_is_retried_on_a_new_worker_with_identical_files(tmp_path):
    from temporalio.worker import Worker

    from _probe_workflow import FitNonlinearProbe

    X, y, split, c = simulate(n=3000, truth="interaction", seed=21, extra=20)
    feats = write_features(tmp_path / "features", X, y, split, c)
    models = ["linear", "gbdt", "mlp"]
    expected = fit_nonlinear_request(_request(feats, tmp_path / "reference", models))

    async def scenario() -> None:
        env = await _start_env()
        queue = f"pgsflow-ml-{uuid.uuid4().hex[:8]}"
        address = env.client.service_client.config.target_host
        first = WorkerProcess(address, queue)
        second = None
        out = tmp_path / "out"
        try:
            await first.ready()
            async with Worker(env.client, task_queue="probe", workflows=[FitNonlinearProbe]):
                wf_id = f"probe-kill-{uuid.uuid4()}"
                handle = await env.client.start_workflow(
                    FitNonlinearProbe.run,
                    {"request": _request(feats, out, models), "taskQueue": queue, "heartbeatSeconds": 3},
                    id=wf_id, task_queue="probe",
                )
                deadline = time.monotonic() + 60
                while not (out / "linear.npy").exists():  # gbdt, then mlp, still to fit
                    assert time.monotonic() < deadline, "the fit never started"
                    await asyncio.sleep(0.05)
                assert not (out / "mlp.npy").exists(), "the fit finished before it could be killed"
                first.stop(signal.SIGKILL)
                second = WorkerProcess(address, queue)
                await second.ready()
                result = await handle.result()
                for got, want in zip(result["predictions"], expected["predictions"]):
                    assert got["sha256"] == want["sha256"], got["model"]
                    assert Path(got["path"]).read_bytes() == Path(want["path"]).read_bytes()
                assert not [f for f in os.listdir(out) if not f.endswith(".npy") or f.startswith(".")], os.listdir(out)
                attempts = [
                    e.activity_task_started_event_attributes.attempt
                    async for e in handle.fetch_history_events()
                    if e.HasField("activity_task_started_event_attributes")
                ]
                assert attempts == [2]  # the started event records the last attempt
        finally:
            if second is not None:
                assert second.stop(signal.SIGTERM) == 0
            if first.proc.poll() is None:
                first.stop(signal.SIGKILL)
            await env.shutdown()

    asyncio.run(scenario())
