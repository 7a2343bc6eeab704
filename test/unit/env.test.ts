import { describe, expect, it } from 'vitest';
import { ENV_DEFAULTS, loadEnv } from '../../config/env.js';
import { ConfigError } from '../../config/errors.js';

describe('environment config', () => {
  it('applies named defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env.temporalAddress).toBeUndefined();
    expect(env.namespace).toBe(ENV_DEFAULTS.namespace);
    expect(env.storeTaskQueue).toBe('pgsflow-store');
    expect(env.computeTaskQueue).toBe('pgsflow-compute');
    expect(env.store).toBe('./.pgsflow');
    expect(env.devServerPort).toBe(7233);
  });

  it('reads the cluster settings', () => {
    const env = loadEnv({ TEMPORAL_ADDRESS: 'temporal.lab:7233', TEMPORAL_NAMESPACE: 'pgs', PGSFLOW_TASK_QUEUE: 'q1', PGSFLOW_DEV_PORT: '9000' });
    expect(env).toMatchObject({ temporalAddress: 'temporal.lab:7233', namespace: 'pgs', storeTaskQueue: 'q1', devServerPort: 9000 });
  });

  it('treats empty variables as unset', () => {
    expect(loadEnv({ TEMPORAL_ADDRESS: '' }).temporalAddress).toBeUndefined();
  });

  it('names the offending variable', () => {
    expect(() => loadEnv({ TEMPORAL_ADDRESS: 'no-port-here' })).toThrow(ConfigError);
    expect(() => loadEnv({ TEMPORAL_ADDRESS: 'no-port-here' })).toThrow(/TEMPORAL_ADDRESS/);
    expect(() => loadEnv({ PGSFLOW_DEV_PORT: '70000' })).toThrow(/PGSFLOW_DEV_PORT/);
    expect(() => loadEnv({ PGSFLOW_TASK_QUEUE: 'bad queue' })).toThrow(/PGSFLOW_TASK_QUEUE/);
  });
});
