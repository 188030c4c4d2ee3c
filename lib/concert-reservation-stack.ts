import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { jobs, type JobDefinition } from '../functions/jobs/job-table';
import { groupEntry, handlerGroups, type HandlerGroup } from '../functions/http/route-table';
import { tableDefinitions, type TableId } from '../functions/shared/tables';
import { ServiceApi } from './service-api';
import { ServiceFunction } from './service-function';
import { ServiceTable } from './service-table';
import { StaticSite } from './static-site';
import type { StageConfig } from './stage-config';
import { BALANCE_SK } from '../functions/wallet/wallet-keys';
import { handlerGroupTableAccess, jobTableAccess, ledgerWriterTableAccess, type TableAccess } from './table-access';

export interface ConcertReservationStackProps extends StackProps {
  readonly config: StageConfig;
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
  readonly ledgerWriter: ServiceFunction;
  readonly api: ServiceApi;
  readonly site: StaticSite;

  constructor(scope: Construct, id: string, props: ConcertReservationStackProps) {
    super(scope, id, props);
    const { stage, settingsEnvironment, jobReservedConcurrency } = props.config;
    Tags.of(this).add('service', 'concert-reservation');
    Tags.of(this).add('stage', stage);

    this.tables = new Map(tableDefinitions.map((definition) => [definition.id, new ServiceTable(this, `${pascal(definition.id)}Table`, definition)]));

    const bindTables = (fn: ServiceFunction, access: TableAccess) => {
      for (const [tableId, level] of Object.entries(access)) {
        const table = this.tables.get(tableId as TableId);
        if (!table) throw new Error(`lib/table-access.ts grants '${tableId}', which functions/shared/tables.ts does not define`);
        if (level) fn.bindTable(table, level);
      }
    };

    this.groupFunctions = new Map(
      handlerGroups.map((group) => {
        const fn = new ServiceFunction(this, `${pascal(group)}Api`, {
          entry: groupEntry(group),
          description: `HTTP routes of the ${group} group (${stage})`,
          environment: settingsEnvironment,
        });
        bindTables(fn, entryFor(handlerGroupTableAccess, group, 'handler group'));
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
        new events.Rule(this, `${pascal(job.name)}Schedule`, {
          description: `Runs the ${job.name} job`,
          schedule: events.Schedule.rate(rate),
          targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: rate })],
        });
        return [job.name, fn] as const;
      }),
    );

    // A charge is one write on the request path; this consumer of the wallet table's stream writes
    // its pending entry out to the ledger. Only balance items matter; a failed batch is retried
    // (halved to find a bad record), and the charges stay pending and counted meanwhile.
    this.ledgerWriter = new ServiceFunction(this, 'LedgerWriter', {
      entry: 'functions/jobs/ledger-writer.ts',
      description: `Writes pending charges out to the wallet ledger (${stage})`,
      environment: settingsEnvironment,
      timeout: Duration.seconds(30),
    });
    bindTables(this.ledgerWriter, ledgerWriterTableAccess);
    this.ledgerWriter.addEventSource(
      new DynamoEventSource(this.tables.get('wallet')!, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 10,
        filters: [lambda.FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: lambda.FilterRule.isEqual(BALANCE_SK) } } } })],
      }),
    );

    // The site first: its address is known before the API, whose CORS origins include it.
    this.site = new StaticSite(this, 'Site');
    this.api = new ServiceApi(this, 'Api', {
      groupFunctions: this.groupFunctions,
      config: { ...props.config, allowedOrigins: [this.site.url, ...props.config.allowedOrigins] },
    });
    this.site.publish({
      apiUrl: this.api.httpApi.apiEndpoint,
      signIn: { kind: 'cognito', region: this.region, userPoolId: this.api.userPool.userPoolId, userPoolClientId: this.api.userPoolClient.userPoolClientId },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The web page' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
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
