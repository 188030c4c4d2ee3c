import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { jobs } from '../../functions/jobs/job-table';
import { streamConsumers } from '../../functions/jobs/stream-consumers';
import { handlerGroups, routeKeyOf, routes, type HandlerGroup } from '../../functions/http/route-table';
import { tableDefinitions, type IndexDefinition, type KeyAttribute } from '../../functions/shared/tables';
import { ConcertReservationStack } from '../../lib/concert-reservation-stack';
import { ACCESS_TOKEN_SCOPE, ADMIN_GROUP } from '../../functions/http/route-table';
import { ORIGIN_SECRET_ENV } from '../../functions/http/middleware/origin-secret';
import { LOCAL_JOB_PATH_METADATA } from '../../lib/local-metadata';
import { addPolicyChecks } from '../../lib/policy-checks';
import type { ServiceFunction } from '../../lib/service-function';
import { DEFAULT_ROUTE_THROTTLES, DEFAULT_THROTTLE, readStageConfig } from '../../lib/stage-config';
import { handlerGroupTableAccess, jobTableAccess, type TableAccess } from '../../lib/table-access';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/** A policy finding (cdk-nag or Guard) that no `Validations.of(...).acknowledge(...)` next to its resource explains. */
interface NagFinding {
  readonly ruleName: string;
  readonly severity: string;
  readonly violatingConstructs: { constructPath: string }[];
}

let stack: ConcertReservationStack;
let template: Template;
let resources: Record<string, Resource>;
let nagFindings: NagFinding[];
let pluginsRun: string[];

// One synth for the whole file: it bundles every function with esbuild, and the policy checks of
// `cdk synth` (cdk-nag's AwsSolutions, the Control Tower Guard rules) run in it. Findings are collected in the assembly's report instead of failing the synth,
// so the test below can name them.
beforeAll(() => {
  const app = new App({ context: { stage: 'test', '@aws-cdk/core:failSynthOnValidationErrors': false } });
  addPolicyChecks(app);
  stack = new ConcertReservationStack(app, 'ConcertReservation-test', { config: readStageConfig(app.node) });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: NagFinding[] }[];
  };
  nagFindings = report.pluginReports.flatMap((plugin) => plugin.violations);
  pluginsRun = report.pluginReports.map((plugin) => plugin.pluginName);
}, 120_000);

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const keySchema = (partition: KeyAttribute, sort?: KeyAttribute) => [
  { AttributeName: partition.name, KeyType: 'HASH' },
  ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' }] : []),
];
const projection = (index: IndexDefinition) =>
  index.projectedAttributes
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projectedAttributes] }
    : { ProjectionType: 'KEYS_ONLY' };

/** Every function with the table access the map gives it; the functions exist once the stack is built. */
const accessByFunction: Array<[string, () => ServiceFunction, TableAccess]> = [
  ...handlerGroups.map((group): [string, () => ServiceFunction, TableAccess] => [
    group,
    () => stack.groupFunctions.get(group)!,
    handlerGroupTableAccess[group],
  ]),
  ...jobs.map((job): [string, () => ServiceFunction, TableAccess] => [
    job.name,
    () => stack.jobFunctions.get(job.name)!,
    jobTableAccess[job.name],
  ]),
];

/** The DynamoDB statements of a function's policy, each with the tables it names. */
const dynamoStatementsOf = (fn: ServiceFunction): Array<{ actions: string[]; tableIds: string[] }> => {
  const roleId = logicalId(fn.role!);
  const tableIds = [...stack.tables.values()].map((table) => logicalId(table));
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
    .map((statement: { Action: string | string[]; Resource: unknown }) => ({
      actions: [statement.Action].flat(),
      tableIds: tableIds.filter((id) => JSON.stringify(statement.Resource).includes(`"${id}"`)),
    }))
    .filter((statement) => statement.actions.some((action) => action.startsWith('dynamodb:')));
};

/** The service's own functions, without the one CDK adds to upload the web page. */
const serviceFunctions = () => {
  const ids = new Set(
    [...stack.groupFunctions.values(), ...stack.jobFunctions.values(), ...stack.streamFunctions.values()].map((fn) => logicalId(fn)),
  );
  return ofType('AWS::Lambda::Function').filter(([id]) => ids.has(id));
};

const isWrite = (action: string) => action === 'dynamodb:*' || /Put|Update|Delete|Write/.test(action);

test('cdk-nag AwsSolutions and the Control Tower Guard rules: every finding is fixed or acknowledged with its reason next to the resource', () => {
  expect(pluginsRun.sort()).toEqual(['AwsSolutions', 'cdk-validator-cfnguard']);
  const unexplained = nagFindings.map(
    (finding) => `${finding.ruleName} at ${finding.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
  );
  expect(unexplained).toEqual([]);
});

test('the stack is named after its stage', () => {
  expect(stack.stackName).toBe('ConcertReservation-test');
});

describe('tables', () => {
  test('one per table definition', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(tableDefinitions.length);
  });

  test.each(tableDefinitions.map((table) => [table.id, table] as const))(
    '%s: keys, indexes, TTL, PITR, on demand, encrypted with the AWS managed key, retained',
    (id, definition) => {
      const table = resources[logicalId(stack.tables.get(id)!)];
      expect(table.Type).toBe('AWS::DynamoDB::Table');
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      const props = table.Properties;
      expect(props.TableName).toBeUndefined();
      expect(props.KeySchema).toEqual(keySchema(definition.partitionKey, definition.sortKey));
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(props.DeletionProtectionEnabled).toBe(true);
      expect(props.SSESpecification).toEqual({ SSEEnabled: true });
      expect(props.TimeToLiveSpecification).toEqual({ AttributeName: definition.ttlAttribute, Enabled: true });
      expect(props.GlobalSecondaryIndexes ?? []).toEqual(
        definition.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: projection(index),
        })),
      );
    },
  );
});

describe('HTTP API', () => {
  /** The authorizer whose audience is this app client. */
  const authorizerOf = (client: { node: { defaultChild?: unknown } }) =>
    ofType('AWS::ApiGatewayV2::Authorizer').find(
      ([, authorizer]) => authorizer.Properties.JwtConfiguration.Audience[0].Ref === logicalId(client),
    )![0];
  const routesByKey = () =>
    new Map(ofType('AWS::ApiGatewayV2::Route').map(([, route]) => [route.Properties.RouteKey as string, route.Properties]));
  /** The function a route's integration invokes. */
  const functionOf = (route: Record<string, any>): string => {
    const integrationId = route.Target['Fn::Join'][1][1].Ref as string;
    return resources[integrationId].Properties.IntegrationUri['Fn::GetAtt'][0];
  };
  const groupFunctionId = (group: HandlerGroup) => logicalId(stack.groupFunctions.get(group)!);

  test("two JWT authorizers: the buyers' pool and client, and the operators' pool and client", () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(2);
    const pools = [stack.api.userPool, stack.api.adminUsers.userPool];
    const clients = [stack.api.userPoolClient, stack.api.adminUsers.userPoolClient];
    for (const [i, [, authorizer]] of authorizers.entries()) {
      const props = authorizer.Properties;
      expect(props.AuthorizerType).toBe('JWT');
      expect(props.IdentitySource).toEqual(['$request.header.Authorization']);
      expect(props.JwtConfiguration.Audience).toEqual([{ Ref: logicalId(clients[i]) }]);
      expect(JSON.stringify(props.JwtConfiguration.Issuer)).toContain(logicalId(pools[i]));
    }
  });

  test('exactly the route table plus $default', () => {
    expect([...routesByKey().keys()].sort()).toEqual([...routes.map(routeKeyOf), '$default'].sort());
  });

  test.each(routes.map((route) => [routeKeyOf(route), route] as const))(
    '%s: its group function, authorizer unless public',
    (key, route) => {
      const props = routesByKey().get(key)!;
      expect(functionOf(props)).toBe(groupFunctionId(route.group));
      if (route.auth === 'public') {
        expect(props.AuthorizationType).toBe('NONE');
        expect(props.AuthorizerId).toBeUndefined();
      } else {
        expect(props.AuthorizationType).toBe('JWT');
        // Admin routes trust only the operators' pool (MFA required); the others only the buyers'.
        const client = route.auth === 'admin' ? stack.api.adminUsers.userPoolClient : stack.api.userPoolClient;
        expect(props.AuthorizerId).toEqual({ Ref: authorizerOf(client) });
        // Access tokens only: an ID token carries no scope.
        expect(props.AuthorizationScopes).toEqual([ACCESS_TOKEN_SCOPE]);
      }
    },
  );

  test('$default goes to the public group without an authorizer', () => {
    const props = routesByKey().get('$default')!;
    expect(functionOf(props)).toBe(groupFunctionId('public'));
    expect(props.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(props.AuthorizerId).toBeUndefined();
  });

  test('no /local route is deployed', () => {
    expect([...routesByKey().keys()].filter((key) => key.includes('/local'))).toEqual([]);
  });

  test('user pool: admin-created users, email sign-in, strong passwords, retained', () => {
    const pool = resources[logicalId(stack.api.userPool)];
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties.UsernameAttributes).toEqual(['email']);
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.Properties.UserPoolName).toBeUndefined();

    expect(pool.Properties.MfaConfiguration).toBe('OPTIONAL');
  });

  test('both app clients: InitiateAuth only (no OAuth flows, scopes or callback URLs), 15-minute tokens, revocable refresh tokens', () => {
    const clients = ofType('AWS::Cognito::UserPoolClient');
    expect(clients.map(([id]) => id).sort()).toEqual(
      [logicalId(stack.api.userPoolClient), logicalId(stack.api.adminUsers.userPoolClient)].sort(),
    );
    for (const [, client] of clients) {
      const props = client.Properties;
      expect(props.GenerateSecret).toBe(false);
      expect([...props.ExplicitAuthFlows].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']);
      expect(props.AllowedOAuthFlowsUserPoolClient).toBe(false);
      for (const key of ['AllowedOAuthFlows', 'AllowedOAuthScopes', 'CallbackURLs', 'LogoutURLs', 'DefaultRedirectURI'])
        expect(props[key]).toBeUndefined();
      expect(props.SupportedIdentityProviders).toEqual(['COGNITO']);
      expect(props).toMatchObject({
        AccessTokenValidity: 15,
        IdTokenValidity: 15,
        RefreshTokenValidity: 720,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
      });
    }
  });

  test('operators have a pool of their own: an authenticator app (TOTP) required, never SMS; the admin group lives there', () => {
    const pool = resources[logicalId(stack.api.adminUsers.userPool)];
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    expect(pool.Properties.Policies.PasswordPolicy.MinimumLength).toBe(14);
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: ADMIN_GROUP,
      UserPoolId: { Ref: logicalId(stack.api.adminUsers.userPool) },
    });
  });
});

describe('functions', () => {
  test("one per handler group, per job and per stream consumer, besides the web page's upload function", () => {
    expect(serviceFunctions()).toHaveLength(handlerGroups.length + jobs.length + streamConsumers.length);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(handlerGroups.length + jobs.length + streamConsumers.length + 1);
  });

  test("the ledger writer consumes the wallet table's stream of new images: balance items only, failed batches halved and retried", () => {
    const wallet = resources[logicalId(stack.tables.get('wallet')!)];
    expect(wallet.Properties.StreamSpecification).toEqual({ StreamViewType: 'KEYS_ONLY' });
    for (const id of ['queue', 'catalogue', 'idempotency'] as const) {
      expect(resources[logicalId(stack.tables.get(id)!)].Properties.StreamSpecification).toBeUndefined();
    }
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(streamConsumers.length);
    const mapping = mappings.find(([, m]) => m.Properties.FunctionName.Ref === logicalId(stack.ledgerWriter))![1];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.tables.get('wallet')!), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['BALANCE'] } } } }) }] },
    });
  });

  test("the sales counter consumes the reservations table's stream of old and new images: reservation items only, failed batches retried whole until they succeed", () => {
    const reservations = resources[logicalId(stack.tables.get('reservations')!)];
    expect(reservations.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const salesCounter = stack.streamFunctions.get('sales-counter')!;
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => m.Properties.FunctionName.Ref === logicalId(salesCounter),
    )!;
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.tables.get('reservations')!), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: false,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: [{ prefix: 'RESERVATION#' }] } } } }) }] },
    });
    // Absent: retried until its records leave the stream, since a dropped batch would be lost from the counters.
    expect(mapping.Properties.MaximumRetryAttempts).toBeUndefined();
  });

  test('every function: Node.js 22 on arm64, traced, 512 MB, source maps, its own log group, no fixed name', () => {
    for (const [, fn] of serviceFunctions()) {
      const props = fn.Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.MemorySize).toBe(512);
      expect(props.Handler).toBe('index.handler');
      // The source map is read when a stack is logged, not at every cold start (lib/service-function.ts).
      expect(props.Environment.Variables.NODE_OPTIONS).toBeUndefined();
      expect(props.FunctionName).toBeUndefined();
      expect(resources[props.LoggingConfig.LogGroup.Ref].Type).toBe('AWS::Logs::LogGroup');
    }
  });

  test('API functions time out after 10 s', () => {
    for (const group of handlerGroups) expect(resources[logicalId(stack.groupFunctions.get(group)!)].Properties.Timeout).toBe(10);
  });

  test("log groups keep a month of logs: one per function, the web page's upload included, and the API access log", () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(handlerGroups.length + jobs.length + streamConsumers.length + 2);
    for (const [, logGroup] of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  test('every function gets the settings, admission rate included', () => {
    for (const [, fn] of serviceFunctions()) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        HOLD_SECONDS: '300',
        ACTIVE_SECONDS: '600',
        ADMIT_PER_TICK: '100',
        MAX_ACTIVE_PER_CONCERT: '1000',
        JOB_INTERVAL_SECONDS: '60',
      });
    }
  });

  test.each(accessByFunction)('%s: exactly the table names of its access map', (_name, functionOf, access) => {
    const variables = resources[logicalId(functionOf())].Properties.Environment.Variables as Record<string, unknown>;
    const tableVariables = Object.fromEntries(
      tableDefinitions.filter((table) => table.envVar in variables).map((table) => [table.envVar, variables[table.envVar]]),
    );
    const expected = Object.fromEntries(
      tableDefinitions.filter((table) => access[table.id]).map((table) => [table.envVar, { Ref: logicalId(stack.tables.get(table.id)!) }]),
    );
    expect(tableVariables).toEqual(expected);
  });
});

describe('queue token key', () => {
  const secretId = () => logicalId(stack.queueTokenKey.secret);
  const secretStatementsOf = (fn: ServiceFunction) => {
    const roleId = logicalId(fn.role!);
    return ofType('AWS::IAM::Policy')
      .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: { Action: string | string[] }) =>
        [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')),
      )
      .filter((statement: { Resource: unknown }) => JSON.stringify(statement.Resource) === JSON.stringify({ Ref: secretId() }));
  };

  test('a secret of its own, generated by Secrets Manager: 64 characters, no punctuation', () => {
    const secret = resources[secretId()];
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  test('the stack has exactly two secrets: this key and the origin secret', () => {
    expect(
      ofType('AWS::SecretsManager::Secret')
        .map(([id]) => id)
        .sort(),
    ).toEqual([secretId(), logicalId(stack.originSecret!.secret)].sort());
  });

  const verifying = new Set<string>(['queue', ...routes.filter((route) => route.auth === 'active').map((route) => route.group)]);
  test.each(accessByFunction)(
    '%s: reads the secret, and is told its ARN, exactly when it signs or verifies queue tokens',
    (name, functionOf) => {
      const fn = functionOf();
      const variables = resources[logicalId(fn)].Properties.Environment.Variables as Record<string, unknown>;
      const statements = secretStatementsOf(fn);
      if (!verifying.has(name)) {
        expect(variables.QUEUE_TOKEN_SECRET_ARN).toBeUndefined();
        expect(statements).toEqual([]);
        return;
      }
      expect(variables.QUEUE_TOKEN_SECRET_ARN).toEqual({ Ref: secretId() });
      expect(statements).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: secretId() },
        }),
      ]);
    },
  );

  test('the groups that verify tokens are the waiting room and every group with an ACTIVE route', () => {
    expect([...verifying].sort()).toEqual(['catalogue', 'queue', 'reservations', 'wallet']);
  });
});

describe('IAM', () => {
  test.each(accessByFunction)('%s: DynamoDB access to exactly its tables, writes only where readWrite', (_name, functionOf, access) => {
    const statements = dynamoStatementsOf(functionOf());
    const granted = (level: string) =>
      tableDefinitions.filter((table) => access[table.id] === level).map((table) => logicalId(stack.tables.get(table.id)!));
    for (const tableId of granted('read')) {
      const actions = statements.filter((statement) => statement.tableIds.includes(tableId)).flatMap((statement) => statement.actions);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']));
      expect(actions.filter(isWrite)).toEqual([]);
    }
    for (const tableId of granted('readWrite')) {
      const actions = statements.filter((statement) => statement.tableIds.includes(tableId)).flatMap((statement) => statement.actions);
      expect(actions).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
      );
    }
    const named = new Set(statements.flatMap((statement) => statement.tableIds));
    expect([...named].sort()).toEqual([...granted('read'), ...granted('readWrite')].sort());
  });

  test('a function with no tables gets no DynamoDB access', () => {
    expect(handlerGroupTableAccess.public).toEqual({});
    expect(dynamoStatementsOf(stack.groupFunctions.get('public')!)).toEqual([]);
  });

  test('at least one binding is read-only, so the check above covers reads', () => {
    const levels = accessByFunction.flatMap(([, , access]) => Object.values(access));
    expect(levels).toContain('read');
  });
});

test('each job runs on an EventBridge schedule at its rate, retried at most twice, naming its local route for npm run start:synth', () => {
  const rules = ofType('AWS::Events::Rule');
  expect(rules).toHaveLength(jobs.length);
  for (const job of jobs) {
    const functionId = logicalId(stack.jobFunctions.get(job.name)!);
    const rule = rules.find(([, r]) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === functionId);
    expect(rule?.[1].Properties.ScheduleExpression).toBe(job.rateMinutes === 1 ? 'rate(1 minute)' : `rate(${job.rateMinutes} minutes)`);
    expect(rule?.[1].Properties.Targets[0].RetryPolicy.MaximumRetryAttempts).toBe(2);
    expect((rule?.[1] as { Metadata?: Record<string, unknown> }).Metadata?.[LOCAL_JOB_PATH_METADATA]).toBe(job.localPath);
  }
  expect(jobs.map((job) => job.rateMinutes)).toEqual([1, 1]);
});

test('outputs: API URL (under the site), web page URL, both user pools and clients, the origin secret and every table name', () => {
  const outputs = Object.keys(template.toJSON().Outputs).sort();
  const tableOutputs = tableDefinitions.map((table) => `${table.id[0].toUpperCase()}${table.id.slice(1)}TableName`);
  expect(outputs).toEqual(
    [
      'AdminUserPoolClientId',
      'AdminUserPoolId',
      'ApiUrl',
      'OriginSecretArn',
      'QueueTokenSecretArn',
      'SiteUrl',
      'UserPoolClientId',
      'UserPoolId',
      ...tableOutputs,
    ].sort(),
  );
  const domain = { 'Fn::GetAtt': [logicalId(stack.site!.distribution), 'DomainName'] };
  expect(template.toJSON().Outputs.SiteUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', domain]] });
  expect(template.toJSON().Outputs.ApiUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', domain, '/api']] });
});

test('the web page is published with the API at /api on its own origin and the user pool it signs in to', () => {
  const [, deployment] = ofType('Custom::CDKBucketDeployment')[0];
  expect(Object.values(deployment.Properties.SourceMarkers[1])).toEqual(
    expect.arrayContaining([{ Ref: logicalId(stack.api.userPool) }, { Ref: logicalId(stack.api.userPoolClient) }]),
  );
  expect(JSON.stringify(deployment.Properties.SourceMarkers)).not.toContain('ApiEndpoint');
});

test('no resource carries a fixed physical name; the API is named after the stack', () => {
  // The property that would give each kind of resource a name of its own in the account.
  const nameProperty: Record<string, string> = {
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::IAM::Role': 'RoleName',
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::Cognito::UserPool': 'UserPoolName',
    'AWS::Events::Rule': 'Name',
    'AWS::ApiGatewayV2::Api': 'Name',
  };
  const named = Object.entries(resources)
    .filter(([, resource]) => resource.Type in nameProperty && resource.Properties[nameProperty[resource.Type]] !== undefined)
    .map(([id, resource]) => [id, resource.Properties[nameProperty[resource.Type]]]);
  expect(named).toEqual([[logicalId(stack.api.httpApi), 'ConcertReservation-test']]);
});

describe('security settings of the stack', () => {
  const stageOf = () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    return stages[0];
  };

  test('the api stage (CloudFront forwards /api/...) is throttled by the settings, and the money and admin routes tighter', () => {
    const [id, stage] = stageOf();
    expect(stage.Properties.StageName).toBe('api');
    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
      ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
    });
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(
        Object.entries(DEFAULT_ROUTE_THROTTLES).map(([key, limits]) => [
          key,
          { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
        ]),
      ),
    );
    // Route settings name routes: the stage is deployed after every route of the route table.
    const routeIds = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, route]) => route.Properties.RouteKey !== '$default')
      .map(([routeId]) => routeId);
    expect(routeIds).toHaveLength(routes.length);
    expect((resources[id] as Resource & { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  test('the stage writes a JSON access log with the request id, never a header or a token, kept a month', () => {
    const [, stage] = stageOf();
    const { DestinationArn, Format } = stage.Properties.AccessLogSettings;
    const logGroupId = logicalId(stack.api.accessLogs);
    expect(DestinationArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
    const fields = JSON.parse(Format) as Record<string, string>;
    expect(fields).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    // The caller, so abuse can be traced: the verified token's subject, and no other claim.
    expect(fields.user).toBe('$context.authorizer.claims.sub');
    expect(Format.match(/claims\.\w+/g)).toEqual(['claims.sub']);
    expect(Format).not.toMatch(/header|querystring|requestOverride/i);
  });

  test('no CORS unless configured: the page calls the API on its own origin', () => {
    const [[, api]] = ofType('AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  test('every API function checks the origin secret and may read only that secret; the jobs know nothing of it', () => {
    const secretId = logicalId(stack.originSecret!.secret);
    for (const group of handlerGroups) {
      const fn = stack.groupFunctions.get(group)!;
      expect(resources[logicalId(fn)].Properties.Environment.Variables[ORIGIN_SECRET_ENV]).toEqual({ Ref: secretId });
    }
    for (const job of jobs)
      expect(resources[logicalId(stack.jobFunctions.get(job.name)!)].Properties.Environment.Variables[ORIGIN_SECRET_ENV]).toBeUndefined();
    const secretStatements = ofType('AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: { Action: string | string[] }) =>
        [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')),
      )
      .filter(
        (statement: { Resource: unknown }) =>
          JSON.stringify(statement.Resource) !== JSON.stringify({ Ref: logicalId(stack.queueTokenKey.secret) }),
      );
    expect(secretStatements).toHaveLength(handlerGroups.length);
    for (const statement of secretStatements)
      expect(statement).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } });
  });

  test('CloudFront sends the secret by dynamic reference: its value is never in the template', () => {
    const secret = resources[logicalId(stack.originSecret!.secret)];
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
    expect(secret.Properties.SecretString).toBeUndefined();
    const [[, distribution]] = ofType('AWS::CloudFront::Distribution');
    const apiOrigin = distribution.Properties.DistributionConfig.Origins.find((origin: any) => origin.OriginCustomHeaders);
    expect(apiOrigin.OriginCustomHeaders).toEqual([
      {
        HeaderName: 'x-origin-verify',
        HeaderValue: {
          'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalId(stack.originSecret!.secret) }, ':SecretString:::}}']],
        },
      },
    ]);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(logicalId(stack.api.httpApi));
  });

  test("the queue's state is cached at the edge on the API's origin; the rest of /api/* is not", () => {
    const [[, distribution]] = ofType('AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    const apiOrigin = config.Origins.find((origin: any) => origin.OriginCustomHeaders);
    const behaviors = Object.fromEntries(config.CacheBehaviors.map((behavior: any) => [behavior.PathPattern, behavior]));
    const state = behaviors['/api/concerts/*/queue/state'];
    const rest = behaviors['/api/*'];
    expect(config.CacheBehaviors.indexOf(state)).toBeLessThan(config.CacheBehaviors.indexOf(rest));
    expect(state).toMatchObject({ TargetOriginId: apiOrigin.Id, AllowedMethods: ['GET', 'HEAD'] });
    expect(state.OriginRequestPolicyId).toBeUndefined();
    expect(resources[state.CachePolicyId.Ref].Properties.CachePolicyConfig).toMatchObject({ MinTTL: 0, DefaultTTL: 1, MaxTTL: 5 });
    // The AWS managed CachingDisabled policy.
    expect(rest).toMatchObject({ TargetOriginId: apiOrigin.Id, CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' });
  });

  test("by default no function reserves concurrency, so a new account's quota of 10 deploys it (test/infra/new-account.test.ts)", () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  test('no IAM statement has a wildcard action, and no role carries an AWS managed policy', () => {
    const statements = [
      ...ofType('AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement),
      ...ofType('AWS::IAM::Role').flatMap(([, role]) => (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)),
    ] as { Action: string | string[] }[];
    expect(statements.length).toBeGreaterThan(0);
    const wildcards = statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.includes('*'));
    expect(wildcards).toEqual([]);
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('DynamoDB grants name each table and index, never index/*', () => {
    const resourcesOfGrants = ofType('AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: { Action: string | string[] }) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')))
      .map((statement: { Resource: unknown }) => JSON.stringify(statement.Resource));
    expect(resourcesOfGrants.length).toBeGreaterThan(0);
    for (const granted of resourcesOfGrants) expect(granted).not.toContain('/index/*');
    for (const table of tableDefinitions) {
      for (const index of table.indexes)
        expect(resourcesOfGrants.some((granted) => granted.includes(`/index/${index.indexName}`))).toBe(true);
    }
  });

  test('a function may write only to its own log group', () => {
    for (const [, fn] of accessByFunction) {
      const roleId = logicalId(fn().role!);
      const logStatements = ofType('AWS::IAM::Policy')
        .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
        .filter((statement: { Action: string | string[] }) => [statement.Action].flat().some((action) => action.startsWith('logs:')));
      const logGroupId = resources[logicalId(fn())].Properties.LoggingConfig.LogGroup.Ref;
      expect(logStatements).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } })]);
    }
  });
});
