// Temporal connection settings (issue 22): flags over environment, TLS files read into the SDK's
// options, clear errors naming the file and the flag or variable, and the options as the SDK's
// client Connection holds them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { connectionFlagsOf, describeConnection, resolveConnectionSettings } from '../../config/temporalConnection.js';
import { buildConnectionOptions } from '../../worker/connectionOptions.js';
import { makeTestPki } from '../helpers/tlsCerts.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('tlsopts');
afterAll(() => tmp.cleanup());
const pem = (name: string, label: string): string => {
  const path = `${tmp.dir}/${name}`;
  writeFileSync(path, `-----BEGIN ${label}-----\n${Buffer.from(name).toString('base64')}\n-----END ${label}-----\n`);
  return path;
};
const cert = pem('client.crt', 'CERTIFICATE');
const key = pem('client.key', 'PRIVATE KEY');
const ca = pem('ca.crt', 'CERTIFICATE');

describe('Temporal connection settings', () => {
  it('defaults: no address, namespace default, plain gRPC', () => {
    expect(resolveConnectionSettings({}, {})).toEqual({ namespace: 'default' });
    expect(buildConnectionOptions(resolveConnectionSettings({}, {}))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('reads the environment', () => {
    const s = resolveConnectionSettings({}, {
      TEMPORAL_ADDRESS: 'ns1.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns1.acct',
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      TEMPORAL_API_KEY: 'k-123',
    });
    expect(s).toEqual({
      address: 'ns1.acct.tmprl.cloud:7233',
      namespace: 'ns1.acct',
      tls: { clientCert: { cert, key }, serverCa: ca, serverName: 'frontend.internal' },
      apiKey: 'k-123',
    });
    expect(describeConnection(s, s.address!)).toBe('ns1.acct.tmprl.cloud:7233 namespace ns1.acct, mTLS, API key');
  });

  it('flags override the environment; empty values count as unset', () => {
    const flags = connectionFlagsOf({ address: 'b:7233', namespace: 'flagged', 'api-key': 'from-flag', 'tls-cert': '' });
    const s = resolveConnectionSettings(flags, { TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_NAMESPACE: 'env', TEMPORAL_API_KEY: 'from-env' });
    expect(s).toEqual({ address: 'b:7233', namespace: 'flagged', apiKey: 'from-flag' });
  });

  it('TEMPORAL_TLS=1 alone: TLS with the system roots', () => {
    expect(resolveConnectionSettings({}, { TEMPORAL_TLS: '1' }).tls).toEqual({});
    expect(buildConnectionOptions(resolveConnectionSettings({ tls: true }, {}), 'h:1')).toEqual({ address: 'h:1', tls: {} });
  });

  it('a certificate without its key (or the reverse) is refused, naming both', () => {
    expect(() => resolveConnectionSettings({ tlsCert: cert }, {})).toThrow(ConfigError);
    expect(() => resolveConnectionSettings({ tlsCert: cert }, {})).toThrow(/--tls-cert \(TEMPORAL_TLS_CERT\) was given without --tls-key/);
    expect(() => resolveConnectionSettings({}, { TEMPORAL_TLS_KEY: key })).toThrow(/--tls-key \(TEMPORAL_TLS_KEY\) was given without --tls-cert/);
    expect(() => resolveConnectionSettings({}, { TEMPORAL_TLS: '0', TEMPORAL_TLS_CA: ca })).toThrow(/TLS is switched off/);
    expect(() => resolveConnectionSettings({}, { TEMPORAL_ADDRESS: 'no-port' })).toThrow(/TEMPORAL_ADDRESS: expected host:port/);
  });

  it('reads the PEM files into the SDK options', () => {
    const o = buildConnectionOptions(resolveConnectionSettings({ tlsCert: cert, tlsKey: key, tlsCa: ca, tlsServerName: 'srv', apiKey: 'k' }, { TEMPORAL_ADDRESS: 'h:7233' }));
    expect(o.address).toBe('h:7233');
    expect(o.apiKey).toBe('k');
    expect(Buffer.from(o.tls!.clientCertPair!.crt).toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(o.tls!.clientCertPair!.key).toString()).toContain('BEGIN PRIVATE KEY');
    expect(Buffer.from(o.tls!.serverRootCACertificate!).toString()).toContain(Buffer.from('ca.crt').toString('base64'));
    expect(o.tls!.serverNameOverride).toBe('srv');
  });

  it('a bad certificate path is a ConfigError naming the file and where it came from', () => {
    const missing = `${tmp.dir}/nope/client.crt`;
    const build = (): unknown => buildConnectionOptions(resolveConnectionSettings({}, { TEMPORAL_TLS_CERT: missing, TEMPORAL_TLS_KEY: key }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(`--tls-cert (TEMPORAL_TLS_CERT): cannot read the client certificate ${missing}: no such file`);
    mkdirSync(`${tmp.dir}/adir`);
    expect(() => buildConnectionOptions(resolveConnectionSettings({ tlsCert: cert, tlsKey: `${tmp.dir}/adir` }, {}))).toThrow(/--tls-key \(TEMPORAL_TLS_KEY\): cannot read the client key .*adir: is a folder/);
    const notPem = `${tmp.dir}/ca.der`;
    writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    expect(() => buildConnectionOptions(resolveConnectionSettings({ tlsCa: notPem }, {}))).toThrow(/--tls-ca \(TEMPORAL_TLS_CA\): the server CA certificate .*ca\.der is not PEM/);
  });

  it('the options reach the SDK client connection (TLS config and API key)', async () => {
    mkdirSync(`${tmp.dir}/pki`);
    const pki = makeTestPki(`${tmp.dir}/pki`);
    const o = buildConnectionOptions(resolveConnectionSettings({ tlsCert: pki.clientCert, tlsKey: pki.clientKey, tlsCa: pki.ca, tlsServerName: 'srv', apiKey: 'secret-key' }, {}), '127.0.0.1:1');
    const conn = Connection.lazy(o);
    try {
      expect(conn.options.address).toBe('127.0.0.1:1');
      // The SDK turned the PEM bytes into secure channel credentials (grpc-js parsed the certificate
      // and key: fake PEM would throw here) and the server name into the SNI/authority override.
      const o2 = conn.options as unknown as { credentials: { _isSecure(): boolean }; channelArgs: Record<string, unknown> };
      expect(o2.credentials._isSecure()).toBe(true);
      expect(o2.channelArgs['grpc.ssl_target_name_override']).toBe('srv');
      expect((conn as unknown as { apiKeyFnRef: { fn?: () => string } }).apiKeyFnRef.fn?.()).toBe('secret-key');
    } finally {
      await conn.close();
    }
  });
});
