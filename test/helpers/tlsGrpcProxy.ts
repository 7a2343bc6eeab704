// A TLS-terminating gRPC (HTTP/2) proxy in front of a plain dev server, for tests of the
// connection options (no hosted Temporal here): it requires a client certificate signed by the
// test CA (mTLS), and records per request the client certificate's CN, the SNI name the client
// asked for and the `authorization` header (the API key), then forwards the request upstream.
import { type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream, connect, createSecureServer } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TestPki } from './tlsCerts.js';

export interface SeenRequest {
  path: string;
  clientCn: string | undefined;
  sni: string | undefined;
  authorization: string | undefined;
}

export interface TlsGrpcProxy {
  address: string;
  seen: SeenRequest[];
  /** TLS handshakes refused (no or untrusted client certificate). */
  refused: number;
  close(): Promise<void>;
}

const HOP = new Set([':scheme', ':authority', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

export async function startTlsGrpcProxy(pki: TestPki, upstreamAddress: string): Promise<TlsGrpcProxy> {
  const seen: SeenRequest[] = [];
  let upstream: ClientHttp2Session | undefined;
  const up = (): ClientHttp2Session => {
    if (!upstream || upstream.closed || upstream.destroyed) upstream = connect(`http://${upstreamAddress}`);
    return upstream;
  };
  const server = createSecureServer({
    key: readFileSync(pki.serverKey),
    cert: readFileSync(pki.serverCert),
    ca: readFileSync(pki.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  const state = { refused: 0 };
  server.on('tlsClientError', () => state.refused++);
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const socket = stream.session?.socket as TLSSocket | undefined;
    const auth = headers.authorization;
    seen.push({
      path: String(headers[':path']),
      clientCn: socket?.getPeerCertificate()?.subject?.CN as string | undefined,
      sni: (socket as (TLSSocket & { servername?: string | false }) | undefined)?.servername || undefined,
      authorization: Array.isArray(auth) ? auth[0] : auth,
    });
    const forward: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers)) if (!HOP.has(k) && v !== undefined) forward[k] = v;
    const req = up().request(forward);
    stream.pipe(req);
    req.on('response', (h) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && v !== undefined && k !== ':status') out[k] = v as string | string[];
      if (stream.destroyed) return;
      // Trailers-only responses (an immediate gRPC error) carry grpc-status in the headers.
      if (h['grpc-status'] !== undefined) {
        stream.respond({ ':status': h[':status'] ?? 200, ...out }, { endStream: true });
        return;
      }
      let trailers: Record<string, string | string[]> = {};
      req.on('trailers', (t) => {
        trailers = {};
        for (const [k, v] of Object.entries(t)) if (v !== undefined) trailers[k] = v as string | string[];
      });
      stream.respond({ ':status': h[':status'] ?? 200, ...out }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      req.pipe(stream);
    });
    req.on('error', () => stream.destroy());
    stream.on('error', () => req.destroy());
    stream.on('close', () => {
      if (!req.closed) req.close();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    seen,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((res) => {
        upstream?.close();
        server.close(() => res());
        // Long polls hold sessions open: do not wait for them.
        setTimeout(res, 1_000);
      }),
  };
}
