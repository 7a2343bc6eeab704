"""A trivial workflow for the integration test: runs `fitNonlinear` on the ML task queue, as the
TypeScript fold workflow does. Kept apart from the tests so the workflow sandbox imports only this."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy


@workflow.defn(name="fitNonlinearProbe")
class FitNonlinearProbe:
    @workflow.run
    async def run(self, args: dict[str, Any]) -> dict[str, Any]:
        return await workflow.execute_activity(
            "fitNonlinear",
            args["request"],
            task_queue=args["taskQueue"],
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=args.get("heartbeatSeconds", 30)),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200),
                maximum_attempts=3,
                non_retryable_error_types=["BadInputError", "GuardError", "DiskFullError"],
            ),
        )
