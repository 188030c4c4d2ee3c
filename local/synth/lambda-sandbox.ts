import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './intrinsics';

const BOOTSTRAP = resolve(__dirname, 'lambda-bootstrap.cjs');
/** Lambda gives a function's init this long before it gives up on the sandbox. */
const INIT_TIMEOUT_MS = 10_000;

/** However this process ends, no sandbox outlives it (one listener for all of them). */
const liveSandboxes = new Set<ChildProcess>();
let exitListening = false;
function track(child: ChildProcess): void {
  if (!exitListening) {
    process.once('exit', () => liveSandboxes.forEach((live) => live.kill('SIGKILL')));
    exitListening = true;
  }
  liveSandboxes.add(child);
  child.once('exit', () => liveSandboxes.delete(child));
}

export interface SandboxOptions {
  /** How logs and errors name the function (its construct path). */
  readonly name: string;
  /** Its name as the Lambda service would know it (AWS_LAMBDA_FUNCTION_NAME). */
  readonly functionName: string;
  readonly assetDir: string;
  readonly handler: string;
  readonly runtime: string;
  /** The template's variables, resolved to local values, plus the local additions. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** A directory of its own the sandbox may fill (the task copy lives there). */
  readonly workDir: string;
  /** What the Lambda runtime provides to every function: `@aws-sdk/*`. */
  readonly runtimeModulesDir: string;
  /** Each line the function writes to stdout or stderr. */
  readonly log: (line: string) => void;
}

/** A failed invocation: what Lambda would report as the function's error. */
export class InvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = 'InvocationError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: { errorType: string; errorMessage: string } }
  | { type: 'result'; id: string; value: unknown }
  | { type: 'error'; id: string; error: { errorType: string; errorMessage: string } };

/**
 * One function's sandbox: a Node.js process of its own running its bundle, copied out of the
 * assembly to a task directory where, as in Lambda, only the bundle and the runtime's AWS SDK
 * can be loaded. Concurrent invocations share it (deployed, each would get a sandbox of its own).
 * A sandbox that crashed or timed out is started again at the next invocation, as Lambda does.
 */
export class LambdaSandbox {
  private child?: ChildProcess;
  private starting?: Promise<ChildProcess>;
  private readonly pending = new Map<string, Pending>();
  private readonly taskDir: string;

  constructor(private readonly options: SandboxOptions) {
    this.taskDir = join(options.workDir, 'task');
  }

  /** Copies the bundle and runs its init; rejects with Lambda's init error (Runtime.ImportModuleError, Runtime.HandlerNotFound). */
  async start(): Promise<void> {
    mkdirSync(this.options.workDir, { recursive: true });
    cpSync(this.options.assetDir, this.taskDir, { recursive: true });
    // ES module resolution ignores NODE_PATH, yet the Node.js 18+ runtimes let `import('@aws-sdk/…')` reach
    // their SDK: the runtime's @aws-sdk, and nothing else, in a node_modules just above the task directory.
    const esmModules = join(this.options.workDir, 'node_modules');
    if (!existsSync(join(esmModules, '@aws-sdk'))) {
      mkdirSync(esmModules, { recursive: true });
      symlinkSync(join(this.options.runtimeModulesDir, '@aws-sdk'), join(esmModules, '@aws-sdk'), 'dir');
    }
    await this.ensureStarted();
  }

  /** Runs the handler with this event; resolves with its result, rejects with an InvocationError. */
  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const child = await this.ensureStarted();
    const id = randomUUID();
    const deadline = Date.now() + this.options.timeoutSeconds * 1000;
    return new Promise((resolveResult, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new InvocationError(
            this.options.name,
            'Sandbox.Timedout',
            `Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`,
          ),
        );
        // As Lambda does, a timed-out sandbox is not reused.
        child.kill('SIGKILL');
      }, deadline - Date.now());
      this.pending.set(id, { resolve: resolveResult, reject, timer });
      child.send({ type: 'invoke', id, event, requestId, deadline, functionArn: this.functionArn });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolveStop) => {
      child.once('exit', () => resolveStop());
      child.kill('SIGTERM');
    });
  }

  private get functionArn(): string {
    return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${this.options.functionName}`;
  }

  private ensureStarted(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawn(): Promise<ChildProcess> {
    const { options } = this;
    const child = fork(BOOTSTRAP, [], {
      cwd: this.taskDir,
      // Exactly the function's environment: nothing of this process leaks in.
      env: this.environment(),
      // No TypeScript loader or flags of this process: the bundle runs on plain Node.js.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', options.log);
    }
    track(child);

    return new Promise((resolveStart, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new InvocationError(options.name, 'Runtime.InitTimeout', `init did not finish within ${INIT_TIMEOUT_MS / 1000} s`));
      }, INIT_TIMEOUT_MS);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.child = child;
          resolveStart(child);
        } else if (message.type === 'init-error') {
          clearTimeout(timer);
          reject(new InvocationError(options.name, message.error.errorType, message.error.errorMessage));
        } else {
          const pending = this.pending.get(message.id);
          if (!pending) return;
          this.pending.delete(message.id);
          clearTimeout(pending.timer);
          if (message.type === 'result') pending.resolve(message.value);
          else pending.reject(new InvocationError(options.name, message.error.errorType, message.error.errorMessage));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        reject(new InvocationError(options.name, 'Runtime.ExitError', `the sandbox exited (${signal ?? code}) during init`));
        for (const [id, pending] of this.pending) {
          this.pending.delete(id);
          clearTimeout(pending.timer);
          pending.reject(
            new InvocationError(options.name, 'Runtime.ExitError', `the sandbox exited (${signal ?? code}) during the invocation`),
          );
        }
      });
    });
  }

  /** The variables Lambda sets in every sandbox, the function's own, and where modules come from. */
  private environment(): Record<string, string> {
    const { options } = this;
    return {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_EXECUTION_ENV: `AWS_Lambda_${options.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: options.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...options.environment,
      LAMBDA_TASK_ROOT: this.taskDir,
      _HANDLER: options.handler,
      // As /var/runtime/node_modules in Lambda: the one place a bare import outside the bundle can come from.
      NODE_PATH: options.runtimeModulesDir,
    };
  }
}

/**
 * The stand-in for the Lambda runtime's own modules: a node_modules with only `@aws-sdk` (this
 * project's copy), which the Node.js 22 runtime provides. Fails if a node_modules above the work
 * directory, or a global module folder, would let a bundle load what Lambda does not have.
 */
export function prepareRuntimeModules(workDir: string): string {
  for (let dir = workDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      throw new Error(
        `${join(dir, 'node_modules')} would let the bundles load modules the Lambda runtime does not have: use another TMPDIR`,
      );
    }
    if (dirname(dir) === dir) break;
  }
  const globalFolder = resolve(process.execPath, '..', '..', 'lib', 'node');
  if (existsSync(globalFolder))
    throw new Error(
      `${globalFolder} (a global module folder of Node.js) would let the bundles load modules the Lambda runtime does not have`,
    );

  const modules = join(workDir, 'runtime', 'node_modules');
  mkdirSync(modules, { recursive: true });
  const sdk = dirname(dirname(require.resolve('@aws-sdk/client-dynamodb/package.json')));
  symlinkSync(sdk, join(modules, '@aws-sdk'), 'dir');
  return modules;
}
