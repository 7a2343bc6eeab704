// The Temporal SDK connection options of every pgsflow connection (client Connection and
// worker NativeConnection alike): address, TLS (PEM files read here; a missing or unreadable
// file is a ConfigError naming the file and the flag/variable that gave it) and API key.
// The settings come from config/temporalConnection.ts (flags over environment).
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError } from '../config/errors.js';
import { CONNECTION_SOURCES, type ConnectionField, type ConnectionSettings } from '../config/temporalConnection.js';

/** Assignable to both `ConnectionOptions` (@temporalio/client) and `NativeConnectionOptions` (@temporalio/worker). */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

export const DEFAULT_WORKER_ADDRESS = '127.0.0.1:7233';

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

function readPem(path: string, field: ConnectionField, what: string): Buffer {
  const { flag, env } = CONNECTION_SOURCES[field];
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    throw new ConfigError('Temporal connection', [{ field: `${flag} (${env})`, message: `cannot read the ${what} ${path}: ${why}` }]);
  }
  if (!PEM.test(bytes.toString('latin1', 0, Math.min(bytes.length, 64 * 1024)))) {
    throw new ConfigError('Temporal connection', [{ field: `${flag} (${env})`, message: `the ${what} ${path} is not PEM (no "-----BEGIN …-----" line)` }]);
  }
  return bytes;
}

/**
 * SDK options for `settings`; `address` is used when the settings name none (the embedded dev
 * server's, or DEFAULT_WORKER_ADDRESS for a worker). Reads the TLS files now, so a bad path fails
 * before any connection is tried.
 */
export function buildConnectionOptions(settings: ConnectionSettings, address: string = settings.address ?? DEFAULT_WORKER_ADDRESS): TemporalConnectionOptions {
  const out: TemporalConnectionOptions = { address: settings.address ?? address };
  if (settings.tls) {
    const t = settings.tls;
    const tls: TLSConfig = {};
    if (t.clientCert) {
      tls.clientCertPair = { crt: readPem(t.clientCert.cert, 'tlsCert', 'client certificate'), key: readPem(t.clientCert.key, 'tlsKey', 'client key') };
    }
    if (t.serverCa !== undefined) tls.serverRootCACertificate = readPem(t.serverCa, 'tlsCa', 'server CA certificate');
    if (t.serverName !== undefined) tls.serverNameOverride = t.serverName;
    out.tls = tls;
  }
  // With an API key and no TLS settings the SDK switches TLS on itself (normalizeTlsConfig).
  if (settings.apiKey !== undefined) out.apiKey = settings.apiKey;
  return out;
}
