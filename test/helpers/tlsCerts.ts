// A throw-away PKI for TLS tests (openssl CLI): a CA, a server certificate for `serverName`
// (and 127.0.0.1) and a client certificate, all signed by the CA, as PEM files in `dir`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  serverName: string;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export function makeTestPki(dir: string, serverName = 'temporal.test'): TestPki {
  const p = (n: string): string => `${dir}/${n}`;
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=pgsflow test CA']);
  const leaf = (name: string, cn: string, ext: string): void => {
    openssl(['req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`]);
    writeFileSync(p(`${name}.ext`), ext);
    openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.crt`), '-days', '2', '-extfile', p(`${name}.ext`)]);
  };
  leaf('server', serverName, `subjectAltName=DNS:${serverName},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  leaf('client', 'pgsflow-worker', 'extendedKeyUsage=clientAuth\n');
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key'), serverName };
}
