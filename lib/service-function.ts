import { resolve } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOG_GROUP_ACKNOWLEDGEMENTS, NOT_IN_A_VPC } from './policy-checks';
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
  /** Concurrent executions reserved for (and capping) this function. @default none: the account's pool */
  readonly reservedConcurrentExecutions?: number;
}

/** Item-level actions only: no scans, no streams, no table management. */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Every Lambda function of the service: Node.js 22 on arm64, bundled by the local esbuild,
 * traced, with its own log group and a role that may write only there. Tables are given only
 * through `bindTable`, which names the table to the function and grants exactly the access asked for.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
    Validations.of(logGroup).acknowledge(...LOG_GROUP_ACKNOWLEDGEMENTS);
    // Its own role instead of the AWS managed basic execution role: it may write to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    logGroup.grantWrite(role);
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
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: props.environment,
      bundling: {
        minify: true,
        // The map goes beside the bundle, unnamed in it, and Node is not told to read it
        // (no --enable-source-maps): reading and parsing it was about half of a function's own
        // init at every cold start. The logger reads it at the first stack it logs
        // (functions/shared/source-mapped-stack.ts), so logged stacks still name our files and lines.
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        // File and line are all a stack needs: without the sources the map is a quarter the size.
        sourcesContent: false,
        // The Node.js 22 runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts fast.
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the LTS runtime the bundles are built and tested for; moving to a newer one is a deliberate change with its own test run, not a side effect of a library update.',
      },
      NOT_IN_A_VPC,
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so their resource is "*"; the actions are named, none is a wildcard.',
    });
  }

  /**
   * Names the table to this function (its env var) and grants exactly `access` to it and to each
   * of its indexes by name: item actions only, no wildcard action or resource.
   */
  bindTable(table: ServiceTable, access: TableAccessLevel): void {
    this.addEnvironment(table.definition.envVar, table.tableName);
    iam.Grant.addToPrincipal({
      grantee: this,
      actions: access === 'readWrite' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS,
      resourceArns: [table.tableArn, ...table.definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`)],
    });
  }
}
