import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { jobs } from '../../functions/jobs/job-table';
import { streamConsumers } from '../../functions/jobs/stream-consumers';
import { handlerGroups } from '../../functions/http/route-table';
import { METRIC, NAMESPACE_ENV } from '../../functions/shared/metrics';
import { tableDefinitions } from '../../functions/shared/tables';
import { ConcertReservationStack } from '../../lib/concert-reservation-stack';
import { readStageConfig } from '../../lib/stage-config';

type Resource = { Type: string; Properties: Record<string, any> };
interface NagFinding {
  readonly ruleName: string;
  readonly violatingConstructs: { constructPath: string }[];
}

/** Synthesizes the stage's stack without bundling the functions (the template is all these tests read). */
function synth(context: Record<string, unknown> = {}) {
  const app = new App({
    context: { stage: 'test', 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:failSynthOnValidationErrors': false, ...context },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new ConcertReservationStack(app, 'ConcertReservation-test', { config: readStageConfig(app.node) });
  const template = Template.fromStack(stack);
  const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: NagFinding[] }[];
  };
  return {
    stack,
    template,
    resources: template.toJSON().Resources as Record<string, Resource>,
    nag: report.pluginReports.flatMap((plugin) => plugin.violations),
  };
}

let built: ReturnType<typeof synth>;
beforeAll(() => {
  built = synth();
}, 120_000);

const ofType = (type: string) => Object.values(built.resources).filter((resource) => resource.Type === type);
const alarms = () => ofType('AWS::CloudWatch::Alarm');
/** The metric names an alarm watches, directly or through its math expression. */
const alarmMetrics = (alarm: Resource): string[] =>
  [
    alarm.Properties.MetricName,
    ...(alarm.Properties.Metrics ?? []).map(
      (query: { MetricStat?: { Metric: { MetricName: string } } }) => query.MetricStat?.Metric.MetricName,
    ),
  ].filter(Boolean);
const dimensionOf = (alarm: Resource) => JSON.stringify(alarm.Properties.Dimensions ?? alarm.Properties.Metrics);

test('cdk-nag AwsSolutions: nothing unexplained in the monitoring', () => {
  const findings = built.nag.filter((finding) => finding.violatingConstructs.some((c) => c.constructPath.includes('/Monitoring/')));
  expect(findings.map((finding) => `${finding.ruleName} at ${finding.violatingConstructs.map((c) => c.constructPath).join(', ')}`)).toEqual(
    [],
  );
});

test('one dashboard with the API, every function, every table and the business metrics', () => {
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  expect(dashboards[0].Properties.DashboardName).toBe('ConcertReservation-test');
  const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
  expect(body).toContain('AWS/ApiGateway');
  expect(body).toContain('AWS/Lambda');
  expect(body).toContain('AWS/DynamoDB');
  for (const group of handlerGroups) expect(body).toContain(`API: ${group} routes`);
  for (const job of jobs) expect(body).toContain(`Job: ${job.name}`);
  for (const table of tableDefinitions) expect(body).toContain(`Table: ${table.id}`);
  for (const name of Object.values(METRIC)) expect(body).toContain(name);
  expect(body).toContain('ConcertReservation/test');
});

test('alarms: 5xx share of the API, throttles of every function, throttling of every table, failed admission runs and stream consumer errors; all to the alarm topic', () => {
  const all = alarms();
  const [topicId] = Object.entries(built.resources).find(([, resource]) => resource.Type === 'AWS::SNS::Topic')!;
  for (const alarm of all)
    expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topicId }], EvaluationPeriods: 3, DatapointsToAlarm: 2 });

  const fivexx = all.filter((alarm) => alarmMetrics(alarm).includes('5xx'));
  expect(fivexx).toHaveLength(1);
  expect(fivexx[0].Properties.Threshold).toBe(1);

  const lambdaThrottles = all.filter((alarm) => alarmMetrics(alarm).includes('Throttles'));
  // The route groups, the jobs and the stream consumers (the ledger writer, the sales counter).
  expect(lambdaThrottles).toHaveLength(handlerGroups.length + jobs.length + streamConsumers.length);

  const tableThrottles = all.filter((alarm) => alarmMetrics(alarm).some((name) => /ThrottleEvents/.test(name)));
  expect(tableThrottles).toHaveLength(tableDefinitions.length * 2);

  const failures = all.filter((alarm) => alarmMetrics(alarm).includes('Errors'));
  expect(failures).toHaveLength(1 + streamConsumers.length);
  for (const consumer of ['LedgerWriter', 'SalesCounter'])
    expect(failures.some((alarm) => dimensionOf(alarm).includes(consumer))).toBe(true);
  const jobFailures = failures.filter((alarm) => dimensionOf(alarm).includes('AdmissionJob'));
  expect(jobFailures).toHaveLength(1);
  expect(jobFailures[0].Properties).toMatchObject({
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    Metrics: [expect.objectContaining({ MetricStat: expect.objectContaining({ Period: 60 }) })],
  });
});

test('the alarm topic: encrypted with a rotated key CloudWatch may use, TLS only, no subscriber without an address', () => {
  const [topic] = ofType('AWS::SNS::Topic');
  expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  expect(ofType('AWS::KMS::Key')[0].Properties.EnableKeyRotation).toBe(true);
  expect(JSON.stringify(ofType('AWS::KMS::Key')[0].Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  expect(JSON.stringify(ofType('AWS::SNS::TopicPolicy'))).toContain('aws:SecureTransport');
  expect(ofType('AWS::SNS::Subscription')).toHaveLength(0);
});

test("every function writes its metrics to the stage's namespace", () => {
  const functions = ofType('AWS::Lambda::Function').filter((fn) => fn.Properties.Environment?.Variables?.HOLD_SECONDS);
  expect(functions).toHaveLength(handlerGroups.length + jobs.length + streamConsumers.length);
  for (const fn of functions) expect(fn.Properties.Environment.Variables[NAMESPACE_ENV]).toBe('ConcertReservation/test');
});

test('with -c alarmEmail the topic mails that address; a malformed one stops the synth', () => {
  const { template } = synth({ alarmEmail: 'ops@example.com' });
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  expect(() => synth({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail must be an email address/);
}, 120_000);
