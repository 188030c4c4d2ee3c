import { resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ServiceTable } from './service-table';
import type { TableAccessLevel } from './table-access';

/** The project root: entries in the route and job tables are relative to it. */
export const PROJECT_ROOT = resolve(__dirname, '..');

export interface ServiceFunctionProps {
  /** Entry file relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** The service settings (HOLD_SECONDS, …) every function reads at start-up. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 10 seconds, for API handlers */
  readonly timeout?: Duration;
  /** Retries of a failed asynchronous invocation. @default 2 (Lambda's own) */
  readonly retryAttempts?: number;
}

/**
 * Every Lambda function of the service: Node.js 22 on arm64, bundled by the local esbuild,
 * traced, with its own log group. Tables are given only through `bindTable`, which names
 * the table to the function and grants exactly the access asked for.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id, {
      entry: resolve(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: resolve(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      retryAttempts: props.retryAttempts,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: true,
        sourceMap: true,
        // The Node.js 22 runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts fast.
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
  }

  /** Names the table to this function (its env var) and grants exactly `access` to it and its indexes. */
  bindTable(table: ServiceTable, access: TableAccessLevel): void {
    this.addEnvironment(table.definition.envVar, table.tableName);
    if (access === 'readWrite') table.grantReadWriteData(this);
    else table.grantReadData(this);
  }
}
