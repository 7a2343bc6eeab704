import { spawn } from 'node:child_process';
import { loadEnv } from '../../config/env.js';
import { type Command, EXIT_FAILURE, EXIT_OK } from '../command.js';
import { ensureMlEnv } from '../mlEnv.js';
import { mlWorkerArgs, mlWorkerEnv } from '../mlWorkerProcess.js';

export const mlWorkerCommand: Command = {
  name: 'ml-worker',
  summary: 'serve the Python ML task queue (nonlinear models) on TEMPORAL_ADDRESS',
  help: `Usage: pgsflow ml-worker

Runs the Python worker (Temporal Python SDK, scikit-learn, LightGBM) that fits the nonlinear
comparison's models (study key "nonlinear") on task queue PGSFLOW_ML_TASK_QUEUE (default
pgsflow-ml) of the cluster at TEMPORAL_ADDRESS (default 127.0.0.1:7233). Its pinned virtual
environment is created under .tools/ml-venv on first use (PyPI). It needs no store, only the
artifact folder at the same path as the store worker (shared filesystem). Embedded sessions
(\`study run\` of a study with "nonlinear", \`demo --nonlinear\`) start one themselves. Run as
many as you like; Ctrl-C stops this one (its fit is retried on another).`,
  interruptIsNormalExit: true,
  options: {},
  async run(_parsed, ctx) {
    const env = loadEnv();
    const python = await ensureMlEnv((line) => ctx.stderr(`${line}\n`));
    const address = env.temporalAddress ?? '127.0.0.1:7233';
    const child = spawn(python, mlWorkerArgs({ address, namespace: env.namespace, taskQueue: env.mlTaskQueue }), { env: mlWorkerEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
    ctx.onInterrupt(async () => {
      child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    return code === 0 || code === null ? EXIT_OK : EXIT_FAILURE;
  },
};
