import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import {
  DefaultDashboardFactory,
  MetricStatistic,
  MonitoringFacade,
  SnsAlarmActionStrategy,
  type CustomMetric,
  type CustomMetricGroup,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { z } from 'zod';
import type { JobDefinition } from '../functions/jobs/job-table';
import type { HandlerGroup } from '../functions/http/route-table';
import { DIMENSION, METRIC, metricsNamespace, NAMESPACE_ENV, SERVICE_NAME } from '../functions/shared/metrics';
import type { TableId } from '../functions/shared/tables';
import { guard } from './policy-checks';
import type { ServiceApi } from './service-api';
import type { ServiceFunction } from './service-function';
import type { ServiceTable } from './service-table';

export interface ServiceMonitoringProps {
  readonly stage: string;
  readonly api: ServiceApi;
  readonly groupFunctions: ReadonlyMap<HandlerGroup, ServiceFunction>;
  readonly jobFunctions: ReadonlyMap<JobDefinition['name'], ServiceFunction>;
  /** Consumers of a table's stream (the ledger writer, the sales counter), by name. */
  readonly streamConsumers: ReadonlyMap<string, ServiceFunction>;
  readonly tables: ReadonlyMap<TableId, ServiceTable>;
}

/** The context key of the address alarms are mailed to (`-c alarmEmail=ops@example.com`); without it the topic has no subscriber. */
export const ALARM_EMAIL_CONTEXT = 'alarmEmail';

/** Thresholds of the alarms (README, "Runbook"). */
export const ALARM_THRESHOLDS = {
  /** Percent of API requests answered 5xx, over 5 minutes, in 2 of 3 periods, once there are 20 requests. */
  api5xxPercent: 1,
  apiMinRequests: 20,
} as const;

const FIVE_MINUTES = Duration.minutes(5);
/** Every alarm fires on a breach in two of its last three periods: one bad minute or blip is not paged. */
const TWO_OF_THREE = { evaluationPeriods: 3, datapointsToAlarm: 2 } as const;

/**
 * The stage's dashboard and alarms (cdk-monitoring-constructs): the API, each function (one per
 * route group, so a group's latency and errors are its function's), each table, and the business
 * metrics the functions write (functions/shared/metrics.ts). Alarms go to one SNS topic.
 */
export class ServiceMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const namespace = metricsNamespace(props.stage);
    const functions = [...props.groupFunctions.values(), ...props.jobFunctions.values(), ...props.streamConsumers.values()];
    for (const fn of functions) fn.addEnvironment(NAMESPACE_ENV, namespace);

    // CloudWatch cannot publish to a topic under the AWS managed SNS key: a key of our own that lets it.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm topic of ${stackName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    Validations.of(key).acknowledge(
      guard(
        'CT.KMS.PR.3',
        "The key policy is CDK's default: the account administers the key (grants included) through IAM, where no role of this stack may create grants; CloudWatch alone is given use of it, by its service principal.",
      ),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: `${stackName} alarms`, masterKey: key, enforceSSL: true });
    const email = readAlarmEmail(this);
    if (email) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: stackName,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic }),
      },
      metricFactoryDefaults: { period: FIVE_MINUTES },
      // Named after the stack, so every stage in an account has its own.
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', { dashboardNamePrefix: stackName }),
    });

    this.monitorApi(props.api);
    for (const [group, fn] of props.groupFunctions) {
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        humanReadableName: `API: ${group} routes`,
        alarmFriendlyName: `${group}-api`,
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0, ...TWO_OF_THREE } },
      });
    }
    for (const [name, fn] of props.jobFunctions) {
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        humanReadableName: `Job: ${name}`,
        alarmFriendlyName: `${name}-job`,
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0, ...TWO_OF_THREE } },
        // The job runs every minute and a failed run is redone by the next: two failures in three minutes is a line that stopped.
        ...(name === 'admission'
          ? { addFaultCountAlarm: { Critical: { maxErrorCount: 0, period: Duration.minutes(1), ...TWO_OF_THREE } } }
          : {}),
      });
    }
    for (const [name, fn] of props.streamConsumers) {
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        humanReadableName: `Stream: ${name}`,
        alarmFriendlyName: `${name}-stream`,
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0, ...TWO_OF_THREE } },
        // A failing batch is retried and nothing is lost meanwhile (charges stay pending and counted, the sales counters
        // lag): errors that go on mean the ledger or the live stats fall behind.
        addFaultCountAlarm: { Critical: { maxErrorCount: 0, ...TWO_OF_THREE } },
      });
    }
    for (const [tableId, table] of props.tables) {
      this.facade.monitorDynamoTable({
        table,
        humanReadableName: `Table: ${tableId}`,
        alarmFriendlyName: `${tableId}-table`,
        addReadThrottledEventsCountAlarm: { Critical: { maxThrottledEventsThreshold: 0, ...TWO_OF_THREE } },
        addWriteThrottledEventsCountAlarm: { Critical: { maxThrottledEventsThreshold: 0, ...TWO_OF_THREE } },
      });
    }
    this.monitorBusiness(namespace);
  }

  /** Latency, requests, 4xx (throttled requests are 429s there) and 5xx of the api stage; an alarm on the 5xx share. */
  private monitorApi(api: ServiceApi): void {
    this.facade.monitorApiGatewayV2HttpApi({
      api: api.httpApi,
      apiStage: api.stage.stageName,
      humanReadableName: 'HTTP API',
      alarmFriendlyName: 'api',
    });
    const dimensionsMap = { ApiId: api.httpApi.apiId, Stage: api.stage.stageName };
    const apiMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap, statistic: 'Sum', period: FIVE_MINUTES });
    const requests = apiMetric('Count');
    // A share only once there is traffic: 1 failure of 2 requests at night is not an outage.
    const fivexxPercent = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${ALARM_THRESHOLDS.apiMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { errors: apiMetric('5xx'), requests },
      label: '5xx %',
      period: FIVE_MINUTES,
    });
    this.facade.monitorCustom({
      humanReadableName: 'HTTP API: share of 5xx answers',
      alarmFriendlyName: 'api',
      metricGroups: [
        {
          title: '5xx (% of requests)',
          metrics: [
            {
              metric: fivexxPercent,
              alarmFriendlyName: '5xx-percent',
              addAlarm: {
                Critical: {
                  threshold: ALARM_THRESHOLDS.api5xxPercent,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  ...TWO_OF_THREE,
                  additionalDescription: 'More than 1% of API answers were 5xx (500 INTERNAL or 503 UNAVAILABLE). README, "Runbook".',
                },
              },
            },
          ],
        },
      ],
    });
  }

  /** The service's own metrics, summed over all functions (dimension `service`), refusals by code and admissions by concert. */
  private monitorBusiness(namespace: string): void {
    const service = { service: SERVICE_NAME };
    const metric = (
      metricName: string,
      label: string,
      statistic = 'Sum',
      dimensionsMap: Record<string, string> = service,
    ): cloudwatch.Metric => new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, label, period: FIVE_MINUTES });
    // One line per value of `dimension` (a key without a value in a search matches any value), labelled with it.
    const search = (metricName: string, dimension: string): CustomMetric => ({
      namespace,
      searchQuery: `MetricName="${metricName}"`,
      dimensionsMap: { ...service, [dimension]: undefined } as cloudwatch.DimensionsMap,
      statistic: MetricStatistic.SUM,
      label: `\${PROP('Dim.${dimension}')}`,
    });
    const group = (title: string, metrics: CustomMetric[]): CustomMetricGroup => ({ title, metrics });
    this.facade.monitorCustom({
      humanReadableName: `Sale: business metrics (${namespace})`,
      alarmFriendlyName: 'business',
      metricGroups: [
        group('Waiting room (per 5 min)', [
          metric(METRIC.joins, 'joined'),
          metric(METRIC.admissions, 'admitted'),
          metric(METRIC.expirations, 'turns expired'),
        ]),
        group('Waiting in line (at each admission run)', [metric(METRIC.waiting, 'waiting (max)', 'Maximum')]),
        group('Admitted by concert', [search(METRIC.admissions, DIMENSION.concert)]),
        group('Holds', [metric(METRIC.holdsWon, 'won'), metric(METRIC.holdsLost, 'lost to another buyer')]),
        group('Sales', [metric(METRIC.payments, 'payments'), metric(METRIC.revenue, 'revenue (KRW)')]),
        group('Refusals by code', [search(METRIC.refusals, DIMENSION.code)]),
        group('Job run duration (ms)', [
          metric(METRIC.jobDuration, 'admission (max)', 'Maximum', { ...service, [DIMENSION.job]: 'admission' }),
          metric(METRIC.jobDuration, 'expiry (max)', 'Maximum', { ...service, [DIMENSION.job]: 'expiry' }),
        ]),
      ],
    });
  }
}

function readAlarmEmail(scope: Construct): string | undefined {
  const value: unknown = scope.node.tryGetContext(ALARM_EMAIL_CONTEXT);
  if (value === undefined || value === '') return undefined;
  const parsed = z.email().safeParse(value);
  if (!parsed.success) throw new Error(`context ${ALARM_EMAIL_CONTEXT} must be an email address, not ${JSON.stringify(value)}`);
  return parsed.data;
}
