import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived on the wire. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How to answer the n-th request (0-based); default 200 `ok`. */
export type Responder = (request: Received, n: number, res: ServerResponse) => void;

/**
 * A real HTTP server on 127.0.0.1, port 0: sinks are exercised over real sockets with real `fetch`, and tests assert on
 * the bytes that arrived. `respond` scripts the answers (500s, 429 + Retry-After, hangs).
 */
export async function startReceiver(respond: Responder = (_req, _n, res) => res.end('ok')) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      respond(request, received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reply with a status (and optional headers / body). */
export function reply(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

/** A retry clock that records requested sleeps and does not wait. */
export function instantClock() {
  const sleeps: number[] = [];
  return { sleeps, clock: { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 } };
}
