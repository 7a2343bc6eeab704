// Environment configuration: where Temporal is, which task queues, where the store lives.
// Every field has a named default so a run's provenance can record the resolved values.
import { z } from 'zod';
import { ConfigError } from './errors.js';

export const ENV_DEFAULTS = {
  namespace: 'default',
  storeTaskQueue: 'pgsflow-store',
  computeTaskQueue: 'pgsflow-compute',
  /** The Python worker's queue (nonlinear models). */
  mlTaskQueue: 'pgsflow-ml',
  store: './.pgsflow',
  devServerPort: 7233,
  devServerUiPort: 8233,
} as const;

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/, 'expected host:port, e.g. localhost:7233');
const taskQueue = z.string().regex(/^[A-Za-z0-9._\-]{1,200}$/, 'expected letters, digits, . _ -');
const port = z.coerce.number().int().min(1).max(65535);

export const envSchema = z
  .object({
    TEMPORAL_ADDRESS: hostPort.optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default(ENV_DEFAULTS.namespace),
    PGSFLOW_TASK_QUEUE: taskQueue.default(ENV_DEFAULTS.storeTaskQueue),
    PGSFLOW_COMPUTE_TASK_QUEUE: taskQueue.default(ENV_DEFAULTS.computeTaskQueue),
    PGSFLOW_ML_TASK_QUEUE: taskQueue.default(ENV_DEFAULTS.mlTaskQueue),
    PGSFLOW_STORE: z.string().min(1).default(ENV_DEFAULTS.store),
    TEMPORAL_CLI_PATH: z.string().min(1).optional(),
    PGSFLOW_DEV_PORT: port.default(ENV_DEFAULTS.devServerPort),
    PGSFLOW_DEV_UI_PORT: port.default(ENV_DEFAULTS.devServerUiPort),
  })
  .transform((e) => ({
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    storeTaskQueue: e.PGSFLOW_TASK_QUEUE,
    computeTaskQueue: e.PGSFLOW_COMPUTE_TASK_QUEUE,
    mlTaskQueue: e.PGSFLOW_ML_TASK_QUEUE,
    store: e.PGSFLOW_STORE,
    temporalCliPath: e.TEMPORAL_CLI_PATH,
    devServerPort: e.PGSFLOW_DEV_PORT,
    devServerUiPort: e.PGSFLOW_DEV_UI_PORT,
  }));

export type EnvConfig = z.output<typeof envSchema>;

/** Parse the process environment; an invalid variable is a ConfigError naming it. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  // Empty strings count as unset, as shells commonly export VAR= to clear.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw ConfigError.fromZod('environment', parsed.error);
  return parsed.data;
}
