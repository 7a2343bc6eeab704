"""The ML worker: serves `fitNonlinear` on the `pgsflow-ml` task queue.

    python -m pgsflow_ml.worker [--address HOST:PORT] [--namespace NS] [--task-queue Q]
                                [--max-concurrent N] [--connect-timeout S]

Defaults: $TEMPORAL_ADDRESS or localhost:7233, $TEMPORAL_NAMESPACE or default, pgsflow-ml, 1.
Prints `pgsflow-ml worker ready on <queue>` on stdout once it polls; SIGTERM or SIGINT shut it
down (a running fit gets a few seconds, then is cancelled and retried elsewhere). Exit 0 after a
clean shutdown, 2 when the server cannot be reached within --connect-timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from . import ML_TASK_QUEUE

READY_PREFIX = "pgsflow-ml worker ready on "


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m pgsflow_ml.worker", description="pgsflow ML worker (fitNonlinear)")
    p.add_argument("--address", default=os.environ.get("TEMPORAL_ADDRESS") or "localhost:7233")
    p.add_argument("--namespace", default=os.environ.get("TEMPORAL_NAMESPACE") or "default")
    p.add_argument("--task-queue", default=ML_TASK_QUEUE)
    p.add_argument("--max-concurrent", type=int, default=1, help="activities run at once (threads), 1-8")
    p.add_argument("--connect-timeout", type=float, default=30.0, help="seconds to keep retrying the first connection")
    p.add_argument("--graceful-shutdown", type=float, default=5.0, help="seconds a running fit gets on shutdown")
    args = p.parse_args(argv)
    if not 1 <= args.max_concurrent <= 8:
        p.error("--max-concurrent must be in 1..8")
    return args


async def connect(address: str, namespace: str, timeout: float):
    from temporalio.client import Client

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await Client.connect(address, namespace=namespace)
        except Exception as e:  # noqa: BLE001 - the server may still be starting
            if loop.time() >= deadline:
                raise ConnectionError(f"cannot reach Temporal at {address}: {e}") from e
            await asyncio.sleep(0.5)


async def serve(args: argparse.Namespace) -> int:
    from temporalio.worker import Worker

    from .activity import fit_nonlinear

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        client = await connect(args.address, args.namespace, args.connect_timeout)
    except ConnectionError as e:
        print(f"pgsflow-ml worker: {e}", file=sys.stderr, flush=True)
        return 2
    if stop.is_set():
        return 0
    with ThreadPoolExecutor(max_workers=args.max_concurrent, thread_name_prefix="fitNonlinear") as executor:
        worker = Worker(
            client,
            task_queue=args.task_queue,
            activities=[fit_nonlinear],
            activity_executor=executor,
            max_concurrent_activities=args.max_concurrent,
            graceful_shutdown_timeout=timedelta(seconds=args.graceful_shutdown),
        )
        async with worker:
            print(f"{READY_PREFIX}{args.task_queue}", flush=True)
            await stop.wait()
            print("pgsflow-ml worker shutting down", file=sys.stderr, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    code = main()
    # Skip interpreter finalisation: the Temporal core's Rust threads can abort it with "Fatal
    # Python error: PyGILState_Release" (temporalio/sdk-python#300), turning a clean exit into 134.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
