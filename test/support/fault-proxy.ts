import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A DynamoDB that misbehaves on purpose: an HTTP proxy on 127.0.0.1 between the SDK client and
 * DynamoDB Local. Point the runtime's endpoint at `url` and it forwards every call, except that,
 * at the rates set, it
 * - answers throttling (a 400 ProvisionedThroughputExceededException, as DynamoDB sheds load) without forwarding;
 * - forwards a write and lets it apply, then cuts the connection instead of answering;
 * - answers slowly;
 * - and, during an outage, closes every connection, open or new, at once.
 * Faults are off until set; `counts` tells what it did.
 */
export interface Faults {
  /** Share of calls answered with throttling. */
  readonly throttle: number;
  /** Share of writes applied, then answered with a cut connection. */
  readonly cutWrites: number;
  /** Share of answers delayed, by up to slowMs. */
  readonly slow: number;
  readonly slowMs: number;
}

export interface FaultCounts {
  calls: number;
  throttled: number;
  cut: number;
  slowed: number;
  refused: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly counts: FaultCounts;
  setFaults(faults: Partial<Faults>): void;
  /** Refuses every call for `ms`, starting now; resolves when it is over. */
  outage(ms: number): Promise<void>;
  stop(): Promise<void>;
}

const NO_FAULTS: Faults = { throttle: 0, cutWrites: 0, slow: 0, slowMs: 0 };
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

const THROTTLED = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
});

export async function startFaultProxy(upstream: string, random: () => number = Math.random): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let faults = NO_FAULTS;
  let downUntil = 0;
  const counts: FaultCounts = { calls: 0, throttled: 0, cut: 0, slowed: 0, refused: 0 };
  const sockets = new Set<Socket>();
  const isDown = () => Date.now() < downUntil;

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on('connection', (socket) => {
    if (isDown()) {
      counts.refused++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    counts.calls++;
    if (isDown()) {
      counts.refused++;
      req.socket.destroy();
      return;
    }
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    if (random() < faults.throttle) {
      counts.throttled++;
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${counts.calls}` });
      res.end(THROTTLED);
      return;
    }
    const answer = await forward(req, body);
    if (WRITES.has(operation) && random() < faults.cutWrites) {
      counts.cut++;
      req.socket.destroy();
      return;
    }
    if (random() < faults.slow) {
      counts.slowed++;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * faults.slowMs)));
    }
    if (isDown()) {
      counts.refused++;
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  function forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const upstreamRequest = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (upstreamResponse) => {
          readAll(upstreamResponse).then(
            (answer) =>
              resolve({
                status: upstreamResponse.statusCode ?? 500,
                headers: upstreamResponse.headers as Record<string, string | string[]>,
                body: answer,
              }),
            reject,
          );
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setFaults(next) {
      faults = { ...NO_FAULTS, ...next };
    },
    async outage(ms) {
      downUntil = Date.now() + ms;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
