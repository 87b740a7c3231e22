/**
 * An HTTP proxy in front of the REST gateway that forges certificates, for the browser tests: the
 * explorer's badge must turn red for what it serves. Everything else passes through unchanged.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { certificateFromJson, certificateToJson, sealCertificate, type Certificate } from '@mithril-ts/protocol';

export interface TamperProxy {
  readonly port: number;
  /**
   * Serves a forgery of `certificate` under a new hash: one protocol message part changed, the
   * signed message and the hash recomputed (so every hash check passes), the multi-signature kept:
   * only the multi-signature check can catch it. Returns the forgery's hash.
   */
  forge(certificateJson: string): string;
  /** Serves `hash` with one byte of its content changed and its hash kept: the hash check catches it. */
  corrupt(hash: string): void;
  close(): Promise<void>;
}

function forgeCertificate(certificate: Certificate): Certificate {
  const message = certificate.protocolMessage;
  const [key, value] = message.entries().find(([k]) => k !== 'current_epoch') ?? message.entries()[0]!;
  message.set(
    key,
    value.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
  );
  const { hash: _hash, ...draft } = certificate;
  return sealCertificate({ ...draft, protocolMessage: message, signedMessage: message.signedMessage() });
}

export async function startTamperProxy(upstreamPort: number): Promise<TamperProxy> {
  const forged = new Map<string, string>();
  const corrupted = new Set<string>();
  const server: Server = createServer((request, response) => {
    const hash = /^\/aggregator\/certificate\/([0-9a-f]{64})$/.exec(request.url ?? '')?.[1];
    const cors = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
    if (hash !== undefined && forged.has(hash)) {
      response.writeHead(200, cors).end(forged.get(hash));
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, method: request.method, path: request.url, headers: { ...request.headers, 'accept-encoding': 'identity' } },
      (answer) => {
        if (hash === undefined || !corrupted.has(hash) || answer.statusCode !== 200) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata: { network: string } };
          json.metadata.network = `${json.metadata.network}-forged`;
          response.writeHead(200, cors).end(JSON.stringify(json));
        });
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    forge(certificateJson) {
      const forgery = forgeCertificate(certificateFromJson(certificateJson));
      forged.set(forgery.hash, certificateToJson(forgery));
      return forgery.hash;
    },
    corrupt(hash) {
      corrupted.add(hash);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
