import { Annotations, CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { jobs, type JobDefinition } from '../functions/jobs/job-table';
import { streamConsumers, type StreamConsumerDefinition } from '../functions/jobs/stream-consumers';
import { API_PATH_PREFIX, groupEntry, handlerGroups, type HandlerGroup } from '../functions/http/route-table';
import { tableDefinitions, type TableId } from '../functions/shared/tables';
import { LOCAL_JOB_PATH_METADATA } from './local-metadata';
import { OriginSecret } from './origin-secret';
import { QueueTokenKey, verifiesQueueTokens } from './queue-token-key';
import { ServiceApi } from './service-api';
import { ServiceFunction } from './service-function';
import { ServiceMonitoring } from './service-monitoring';
import { ServiceTable } from './service-table';
import { StaticSite } from './static-site';
import type { StageConfig } from './stage-config';
import { handlerGroupTableAccess, jobTableAccess, streamConsumerTableAccess, type TableAccess } from './table-access';

export interface ConcertReservationStackProps extends StackProps {
  readonly config: StageConfig;
  /** The site's web ACL, from the edge protection stack in us-east-1 (`-c webAclArn=`). */
  readonly webAclArn?: string;
  /** The origin secret's version CloudFront sends, after a rotation (`-c originSecretVersion=`). */
  readonly originSecretVersion?: string;
}

/** `queue` → `Queue`: construct ids and output names from the ids in the shared tables. */
const pascal = (name: string) => name.replace(/(^|[-_])(\w)/g, (_, __, letter: string) => letter.toUpperCase());

/**
 * One stage of the service. Tables, functions, routes and schedules are all built by loops over
 * the shared definitions (tables.ts, route-table.ts, job-table.ts) and lib/table-access.ts, so
 * adding a row there needs no change here. No physical names: every stage can share an account.
 */
export class ConcertReservationStack extends Stack {
  readonly tables: ReadonlyMap<TableId, ServiceTable>;
  readonly groupFunctions: ReadonlyMap<HandlerGroup, ServiceFunction>;
  readonly jobFunctions: ReadonlyMap<JobDefinition['name'], ServiceFunction>;
  /** Signs queue tokens; read by the groups that verify them, not by the jobs. */
  readonly queueTokenKey: QueueTokenKey;
  /** The consumers of the tables' streams (functions/jobs/stream-consumers.ts). */
  readonly streamFunctions: ReadonlyMap<StreamConsumerDefinition['name'], ServiceFunction>;
  /** Writes charges out from the wallet table's stream to the ledger. */
  readonly ledgerWriter: ServiceFunction;
  readonly api: ServiceApi;
  /** The web page, with the API at /api; absent with `-c webSite=false`. */
  readonly site?: StaticSite;
  /** The header CloudFront adds and the API checks; absent without the site, whose distribution sends it. */
  readonly originSecret?: OriginSecret;

  constructor(scope: Construct, id: string, props: ConcertReservationStackProps) {
    super(scope, id, props);
    const { stage, settingsEnvironment, jobReservedConcurrency } = props.config;
    Tags.of(this).add('service', 'concert-reservation');
    Tags.of(this).add('stage', stage);

    this.tables = new Map(
      tableDefinitions.map((definition) => [definition.id, new ServiceTable(this, `${pascal(definition.id)}Table`, definition)]),
    );

    const bindTables = (fn: ServiceFunction, access: TableAccess) => {
      for (const [tableId, level] of Object.entries(access)) {
        const table = this.tables.get(tableId as TableId);
        if (!table) throw new Error(`lib/table-access.ts grants '${tableId}', which functions/shared/tables.ts does not define`);
        if (level) fn.bindTable(table, level);
      }
    };

    this.originSecret = props.config.webSite ? new OriginSecret(this, 'OriginSecret', { versionId: props.originSecretVersion }) : undefined;
    this.queueTokenKey = new QueueTokenKey(this, 'QueueTokenKey');
    this.groupFunctions = new Map(
      handlerGroups.map((group) => {
        const fn = new ServiceFunction(this, `${pascal(group)}Api`, {
          entry: groupEntry(group),
          description: `HTTP routes of the ${group} group (${stage})`,
          environment: settingsEnvironment,
        });
        bindTables(fn, entryFor(handlerGroupTableAccess, group, 'handler group'));
        this.originSecret?.checkIn(fn);
        if (verifiesQueueTokens(group)) this.queueTokenKey.bindTo(fn);
        return [group, fn] as const;
      }),
    );

    this.jobFunctions = new Map(
      jobs.map((job) => {
        const rate = Duration.minutes(job.rateMinutes);
        const fn = new ServiceFunction(this, `${pascal(job.name)}Job`, {
          entry: job.entry,
          description: `Scheduled ${job.name} job (${stage})`,
          environment: settingsEnvironment,
          // A run is safe to overlap and retry, but should end before the next one starts.
          timeout: Duration.seconds(Math.min(55, rate.toSeconds() - 5)),
          // A failed run is redone by the next tick anyway.
          retryAttempts: 0,
          // Runs are idempotent and may overlap, but never need to pile up: this also caps a runaway.
          reservedConcurrentExecutions: jobReservedConcurrency,
        });
        bindTables(fn, entryFor(jobTableAccess, job.name, 'job'));
        const rule = new events.Rule(this, `${pascal(job.name)}Schedule`, {
          description: `Runs the ${job.name} job`,
          schedule: events.Schedule.rate(rate),
          targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: rate })],
        });
        (rule.node.defaultChild as events.CfnRule).addMetadata(LOCAL_JOB_PATH_METADATA, job.localPath);
        return [job.name, fn] as const;
      }),
    );

    // Work finished off the request path from a table's stream: the ledger writer writes each charge's
    // pending entry out to the ledger, the sales counter folds reservations' changes into counters.
    // A failed batch is retried (the ledger writer's halved to find a bad record) and nothing is lost
    // meanwhile: charges stay pending and counted, and the counters only lag.
    this.streamFunctions = new Map(
      streamConsumers.map((consumer) => {
        const fn = new ServiceFunction(this, pascal(consumer.name), {
          entry: consumer.entry,
          description: `${consumer.description} (${stage})`,
          environment: settingsEnvironment,
          timeout: Duration.seconds(30),
        });
        bindTables(fn, entryFor(streamConsumerTableAccess, consumer.name, 'stream consumer'));
        const sortKey =
          'sortKeyEquals' in consumer.records
            ? lambda.FilterRule.isEqual(consumer.records.sortKeyEquals)
            : lambda.FilterRule.beginsWith(consumer.records.sortKeyBeginsWith);
        fn.addEventSource(
          new DynamoEventSource(this.tables.get(consumer.table)!, {
            startingPosition: lambda.StartingPosition.TRIM_HORIZON,
            batchSize: consumer.batchSize,
            maxBatchingWindow: Duration.seconds(1),
            bisectBatchOnError: consumer.bisectOnError,
            retryAttempts: consumer.retryAttempts,
            filters: [lambda.FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: sortKey } } } })],
          }),
        );
        return [consumer.name, fn] as const;
      }),
    );
    this.ledgerWriter = this.streamFunctions.get('ledger-writer')!;

    // The API first: the site's distribution serves it at /api, with the origin secret added.
    this.api = new ServiceApi(this, 'Api', { groupFunctions: this.groupFunctions, config: props.config });
    const { originSecret } = this;
    if (originSecret) {
      const site = new StaticSite(this, 'Site', {
        api: {
          domainName: `${this.api.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`,
          originHeaders: originSecret.originHeaders,
        },
        webAclArn: props.webAclArn,
      });
      this.site = site;
      if (!props.webAclArn) {
        Annotations.of(this).addWarningV2(
          'concert-reservation:no-web-acl',
          'no web ACL: per-client limits are off. Deploy the -Edge stack and pass -c webAclArn=<its WebAclArn> (README, "Deploying").',
        );
      }
      site.publish({
        // Relative: the page calls the API on its own origin.
        apiUrl: API_PATH_PREFIX,
        signIn: {
          kind: 'cognito',
          region: this.region,
          userPoolId: this.api.userPool.userPoolId,
          userPoolClientId: this.api.userPoolClient.userPoolClientId,
        },
        // The console at /app/admin signs operators in to their own pool, the one the admin routes trust.
        adminSignIn: {
          kind: 'cognito',
          region: this.region,
          userPoolId: this.api.adminUsers.userPool.userPoolId,
          userPoolClientId: this.api.adminUsers.userPoolClient.userPoolClientId,
        },
      });
      new CfnOutput(this, 'ApiUrl', {
        value: `${site.url}${API_PATH_PREFIX}`,
        description: "Base URL of the API, under the site's origin (the execute-api URL refuses requests that bypass CloudFront)",
      });
      new CfnOutput(this, 'SiteUrl', { value: site.url, description: 'The web page' });
      new CfnOutput(this, 'OriginSecretArn', { value: originSecret.secret.secretArn, description: 'Rotate: README, "Security"' });
    } else {
      // No CloudFront yet (-c webSite=false): the API answers at its own address, without the edge's limits.
      new CfnOutput(this, 'ApiUrl', {
        value: `${this.api.httpApi.apiEndpoint}${API_PATH_PREFIX}`,
        description: 'Base URL of the HTTP API (no site: no CloudFront, no web ACL)',
      });
    }
    new ServiceMonitoring(this, 'Monitoring', {
      stage,
      api: this.api,
      groupFunctions: this.groupFunctions,
      jobFunctions: this.jobFunctions,
      streamConsumers: this.streamFunctions,
      tables: this.tables,
    });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'AdminUserPoolId', {
      value: this.api.adminUsers.userPool.userPoolId,
      description: 'Operators (MFA required): the admin routes accept only their tokens',
    });
    new CfnOutput(this, 'AdminUserPoolClientId', { value: this.api.adminUsers.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'QueueTokenSecretArn', {
      value: this.queueTokenKey.secret.secretArn,
      description: 'The queue token signing key: rotate with put-secret-value',
    });
    for (const [tableId, table] of this.tables) {
      new CfnOutput(this, `${pascal(tableId)}TableName`, { value: table.tableName });
    }
  }
}

/** The table access of a function; a missing entry stops the synth, since guessing would grant too much or too little. */
function entryFor<K extends string>(accessMap: Readonly<Record<K, TableAccess>>, name: K, kind: string): TableAccess {
  if (!Object.hasOwn(accessMap, name)) {
    throw new Error(`lib/table-access.ts has no entry for the ${kind} '${name}': list the tables it may touch ({} for none)`);
  }
  return accessMap[name];
}
