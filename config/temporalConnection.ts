// How every pgsflow process reaches Temporal (issue 22): address, namespace, TLS (server CA,
// client certificate and key for mTLS, server name override) and an API key, from flags or the
// environment, flags first. This module only validates and resolves the settings (file paths,
// not their bytes); worker/connectionOptions.ts reads the files and builds the SDK's options.
import { z } from 'zod';
import { ENV_DEFAULTS } from './env.js';
import { ConfigError } from './errors.js';

/** The command-line flags (`--address`, `--namespace`, `--tls-cert`, …), as parsed. */
export interface ConnectionFlags {
  address?: string | undefined;
  namespace?: string | undefined;
  tls?: boolean | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsCa?: string | undefined;
  tlsServerName?: string | undefined;
  apiKey?: string | undefined;
}

/** TLS settings: paths of PEM files, or nothing but `enabled` (system roots, e.g. an API-key cloud). */
export interface TlsSettings {
  clientCert?: { cert: string; key: string };
  serverCa?: string;
  serverName?: string;
}

export interface ConnectionSettings {
  /** host:port; undefined = the embedded dev server (client) or 127.0.0.1:7233 (worker). */
  address?: string;
  namespace: string;
  /** Undefined: plain gRPC (unless `apiKey` is set, which the SDK sends over TLS). */
  tls?: TlsSettings;
  apiKey?: string;
}

/** Where each setting comes from, for error messages: `--tls-cert` / `TEMPORAL_TLS_CERT`. */
export const CONNECTION_SOURCES = {
  address: { flag: '--address', env: 'TEMPORAL_ADDRESS' },
  namespace: { flag: '--namespace', env: 'TEMPORAL_NAMESPACE' },
  tls: { flag: '--tls', env: 'TEMPORAL_TLS' },
  tlsCert: { flag: '--tls-cert', env: 'TEMPORAL_TLS_CERT' },
  tlsKey: { flag: '--tls-key', env: 'TEMPORAL_TLS_KEY' },
  tlsCa: { flag: '--tls-ca', env: 'TEMPORAL_TLS_CA' },
  tlsServerName: { flag: '--tls-server-name', env: 'TEMPORAL_TLS_SERVER_NAME' },
  apiKey: { flag: '--api-key', env: 'TEMPORAL_API_KEY' },
} as const;

export type ConnectionField = keyof typeof CONNECTION_SOURCES;

/** Option specs for node:util parseArgs, shared by the commands that connect. */
export const CONNECTION_OPTION_SPECS = {
  address: { type: 'string' },
  namespace: { type: 'string' },
  tls: { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'api-key': { type: 'string' },
} as const;

export const CONNECTION_HELP = `Connection (flags override the environment):
  --address HOST:PORT        TEMPORAL_ADDRESS         Temporal frontend
  --namespace NAME           TEMPORAL_NAMESPACE       namespace (default ${ENV_DEFAULTS.namespace})
  --tls                      TEMPORAL_TLS=1           TLS with the system's roots (implied by the flags below)
  --tls-cert FILE            TEMPORAL_TLS_CERT        client certificate (PEM) for mTLS; needs --tls-key
  --tls-key FILE             TEMPORAL_TLS_KEY         its private key (PEM)
  --tls-ca FILE              TEMPORAL_TLS_CA          CA certificate (PEM) of the server, if not a system root
  --tls-server-name NAME     TEMPORAL_TLS_SERVER_NAME name to verify the server certificate against (SNI)
  --api-key KEY              TEMPORAL_API_KEY         API key (sent as a bearer token; implies TLS)`;

const hostPort = z.string().regex(/^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/, 'expected host:port, e.g. localhost:7233');
const nonEmpty = z.string().min(1);
const flagBoolean = z.union([z.boolean(), z.enum(['1', 'true', 'yes', '0', 'false', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v))]);

const fieldSchemas = {
  address: hostPort,
  namespace: nonEmpty,
  tls: flagBoolean,
  tlsCert: nonEmpty,
  tlsKey: nonEmpty,
  tlsCa: nonEmpty,
  tlsServerName: nonEmpty,
  apiKey: nonEmpty,
} satisfies Record<ConnectionField, z.ZodType>;

/** Flags over environment; empty strings count as unset. Errors name the flag or variable. */
export function resolveConnectionSettings(flags: ConnectionFlags = {}, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const issues: { field: string; message: string }[] = [];
  const pick = <K extends ConnectionField>(field: K): z.output<(typeof fieldSchemas)[K]> | undefined => {
    const { flag, env: variable } = CONNECTION_SOURCES[field];
    const fromFlag = flags[field];
    const fromEnv = env[variable];
    const [raw, source] = fromFlag !== undefined && fromFlag !== '' ? [fromFlag, flag] : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, variable] : [undefined, ''];
    if (raw === undefined) return undefined;
    const parsed = fieldSchemas[field].safeParse(raw);
    if (!parsed.success) {
      issues.push({ field: source, message: parsed.error.issues.map((i) => i.message).join('; ') });
      return undefined;
    }
    return parsed.data as z.output<(typeof fieldSchemas)[K]>;
  };
  const address = pick('address');
  const namespace = pick('namespace') ?? ENV_DEFAULTS.namespace;
  const tlsOn = pick('tls');
  const cert = pick('tlsCert');
  const key = pick('tlsKey');
  const ca = pick('tlsCa');
  const serverName = pick('tlsServerName');
  const apiKey = pick('apiKey');
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? (['tlsKey', 'tlsCert'] as const) : (['tlsCert', 'tlsKey'] as const);
    issues.push({
      field: CONNECTION_SOURCES[missing].flag,
      message: `${CONNECTION_SOURCES[given].flag} (${CONNECTION_SOURCES[given].env}) was given without ${CONNECTION_SOURCES[missing].flag} (${CONNECTION_SOURCES[missing].env}): mTLS needs both the certificate and its key`,
    });
  }
  const anyTls = cert !== undefined || ca !== undefined || serverName !== undefined;
  if (tlsOn === false && anyTls) {
    issues.push({ field: '--tls', message: 'TLS is switched off (TEMPORAL_TLS=0) but TLS files or a server name were given' });
  }
  if (issues.length > 0) throw new ConfigError('Temporal connection', issues);
  const tls: TlsSettings | undefined =
    anyTls || tlsOn === true
      ? {
          ...(cert !== undefined && key !== undefined ? { clientCert: { cert, key } } : {}),
          ...(ca !== undefined ? { serverCa: ca } : {}),
          ...(serverName !== undefined ? { serverName } : {}),
        }
      : undefined;
  return {
    ...(address !== undefined ? { address } : {}),
    namespace,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

/** The connection flags of a parsed command line (parseArgs values with CONNECTION_OPTION_SPECS). */
export function connectionFlagsOf(values: Record<string, unknown>): ConnectionFlags {
  const s = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    address: s('address'),
    namespace: s('namespace'),
    tls: values.tls === true ? true : undefined,
    tlsCert: s('tls-cert'),
    tlsKey: s('tls-key'),
    tlsCa: s('tls-ca'),
    tlsServerName: s('tls-server-name'),
    apiKey: s('api-key'),
  };
}

/** What to print about a connection (never the API key). */
export function describeConnection(s: ConnectionSettings, address: string): string {
  const parts = [`${address} namespace ${s.namespace}`];
  if (s.tls) parts.push(s.tls.clientCert ? 'mTLS' : 'TLS');
  else if (s.apiKey !== undefined) parts.push('TLS');
  if (s.apiKey !== undefined) parts.push('API key');
  return parts.join(', ');
}
