/**
 * What start:synth catches in a synthesized stack that would deploy but not work: each case is a
 * copy of the good assembly with one thing broken, and start-up must fail with a message that
 * names it (or, for a variable the template forgets, the route must fail as it would deployed).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_JOB_PATH_METADATA } from '../../lib/local-metadata';
import { readStackAssembly } from '../../local/synth/assembly';
import { startSynthRuntime, type SynthRuntime } from '../../local/synth/synth-runtime';
import { brokenCopy, logicalIdAt, readTemplate } from './support';

let copy: ReturnType<typeof brokenCopy> | undefined;
let runtime: SynthRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  copy?.remove();
  copy = undefined;
});

let prefixes = 0;
const start = (dir: string, options: { seed?: boolean; functionLog?: (name: string, line: string) => void } = {}) =>
  startSynthRuntime({
    assemblyDir: dir,
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    port: 0,
    jobIntervalSeconds: 0,
    tablePrefix: `broken${process.pid}x${++prefixes}-`,
    seed: options.seed ?? false,
    functionLog: options.functionLog ?? (() => undefined),
  });

/** Starting the broken copy fails; the message it fails with. */
async function startFailure(edit: Parameters<typeof brokenCopy>[0]): Promise<string> {
  copy = brokenCopy(edit);
  const failure = await start(copy.dir).then(
    (started) => {
      runtime = started;
      return new Error('it started');
    },
    (error: unknown) => error as Error,
  );
  return failure.message;
}

const assetOf = (dir: string, template: ReturnType<typeof readTemplate>, functionPath: string) =>
  join(dir, template.Resources[logicalIdAt(template, `${functionPath}/Resource`)].Metadata!['aws:asset:path']);

test("the good assembly starts: the service stack is picked out of the two, the API at its stage's path", async () => {
  copy = brokenCopy(() => undefined);
  expect(readStackAssembly(copy.dir).stackName).toBe('ConcertReservation-dev');
  runtime = await start(copy.dir, { seed: true });
  expect(runtime.model.functions.size).toBe(10);
  expect(runtime.apiUrl).toBe(`${runtime.url}/api`);
  expect((await fetch(`${runtime.apiUrl}/concerts`)).status).toBe(200);
}, 120_000); // ten functions' inits and the demo data, on a busy machine

test('a bundle that needs a module the Lambda runtime does not have: its init fails, naming the function, its handler and the module', async () => {
  // As if a dependency had been marked external: the bundle requires it, and only @aws-sdk/* is in the runtime.
  const message = await startFailure((dir, template) => {
    const file = join(assetOf(dir, template, 'WalletApi'), 'index.js');
    writeFileSync(file, `require("ulid");\n${readFileSync(file, 'utf8')}`);
  });
  expect(message).toMatch(
    /function WalletApi \(handler index\.handler of asset\.\w+\) does not start: Runtime\.ImportModuleError: Error: Cannot find module 'ulid'/,
  );
});

test('a handler name the bundle does not export', async () => {
  const message = await startFailure((_, template) => {
    template.Resources[logicalIdAt(template, 'QueueApi/Resource')].Properties.Handler = 'index.main';
  });
  expect(message).toMatch(
    /function QueueApi \(handler index\.main of asset\.\w+\) does not start: Runtime\.HandlerNotFound: index\.main is undefined or not exported/,
  );
});

test('a handler file the bundle does not have, and a bundle missing from the assembly, both named at once', async () => {
  const message = await startFailure((dir, template) => {
    template.Resources[logicalIdAt(template, 'CatalogueApi/Resource')].Properties.Handler = 'main.handler';
    rmSync(assetOf(dir, template, 'ExpiryJob'), { recursive: true });
  });
  expect(message).toMatch(/function CatalogueApi: handler 'main\.handler' names no file of its bundle asset\.\w+ \(main\.js\)/);
  expect(message).toMatch(/function ExpiryJob: its bundle asset\.\w+ is missing from .*: run cdk synth again/);
});

test('a route whose integration invokes no function of the template', async () => {
  const message = await startFailure((_, template) => {
    const route = template.Resources[logicalIdAt(template, 'Api/HttpApi/GET--balance/Resource')];
    const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
    template.Resources[integrationId].Properties.IntegrationUri = { 'Fn::GetAtt': ['NoSuchFunction', 'Arn'] };
  });
  expect(message).toMatch(
    /route GET \/balance invokes NoSuchFunction, which the template does not define, not a Lambda function of the template/,
  );
});

test('a JWT route that names no authorizer', async () => {
  const message = await startFailure((_, template) => {
    delete template.Resources[logicalIdAt(template, 'Api/HttpApi/POST--payments/Resource')].Properties.AuthorizerId;
  });
  expect(message).toMatch(/route POST \/payments is guarded by JWT but names no authorizer of the template/);
});

test('a variable that refers to a resource with no local counterpart', async () => {
  const message = await startFailure((_, template) => {
    const bucket = logicalIdAt(template, 'Site/Files/Resource');
    template.Resources[logicalIdAt(template, 'CatalogueApi/Resource')].Properties.Environment.Variables.EXPORT_BUCKET = { Ref: bucket };
  });
  expect(message).toMatch(
    /function CatalogueApi: variable EXPORT_BUCKET: AWS::S3::Bucket Site\/Files \(SiteFiles\w+\) has no local counterpart/,
  );
});

test('a schedule that cannot be run locally, and one that names no local route', async () => {
  const message = await startFailure((_, template) => {
    template.Resources[logicalIdAt(template, 'AdmissionSchedule/Resource')].Properties.ScheduleExpression = 'cron(0/1 * * * ? *)';
    delete template.Resources[logicalIdAt(template, 'ExpirySchedule/Resource')].Metadata![LOCAL_JOB_PATH_METADATA];
  });
  expect(message).toMatch(/schedule AdmissionSchedule: cron\(0\/1 \* \* \* \? \*\) is not run locally/);
  expect(message).toMatch(/schedule ExpirySchedule names no local route/);
});

test("a stream consumer whose filter uses an operator not matched locally, and one that reads no table's stream, both named", async () => {
  const message = await startFailure((_, template) => {
    const mappingOf = (functionPath: string) =>
      Object.values(template.Resources).find(
        (resource) =>
          resource.Type === 'AWS::Lambda::EventSourceMapping' &&
          resource.Properties.FunctionName.Ref === logicalIdAt(template, `${functionPath}/Resource`),
      )!;
    mappingOf('LedgerWriter').Properties.FilterCriteria.Filters[0].Pattern = JSON.stringify({
      dynamodb: { Keys: { sk: { S: [{ 'anything-but': 'BALANCE' }] } } },
    });
    mappingOf('SalesCounter').Properties.EventSourceArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/elsewhere';
  });
  expect(message).toMatch(
    /event source mapping LedgerWriter\/.*: dynamodb\.Keys\.sk\.S: \{"anything-but":"BALANCE"\} is not matched locally/,
  );
  expect(message).toMatch(/event source mapping SalesCounter\/.* reads "arn:aws:kinesis:.*", not the stream of a table of the template/);
});

test("a variable the template forgets: the route fails as it would deployed, and the function's log names the variable", async () => {
  // npm start would not notice: there every handler shares one environment with every table in it.
  copy = brokenCopy((_, template) => {
    delete template.Resources[logicalIdAt(template, 'CatalogueApi/Resource')].Properties.Environment.Variables.CATALOGUE_TABLE;
  });
  const logged: string[] = [];
  runtime = await start(copy.dir, { functionLog: (name, line) => logged.push(`[${name}] ${line}`) });
  const reply = await fetch(`${runtime.apiUrl}/concerts`);
  expect(reply.status).toBe(500);
  expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
  expect(logged.join('\n')).toMatch(/\[CatalogueApi\] .*CATALOGUE_TABLE is not set/);
});

test('a secret the local Secrets Manager cannot give a value', async () => {
  const message = await startFailure((_, template) => {
    delete template.Resources[logicalIdAt(template, 'QueueTokenKey/Secret/Resource')].Properties.GenerateSecretString;
  });
  expect(message).toMatch(
    /AWS::SecretsManager::Secret QueueTokenKey\/Secret \(QueueTokenKeySecret\w+\) has neither a SecretString nor a GenerateSecretString/,
  );
});

test('an origin header naming a secret version the local Secrets Manager does not have (-c originSecretVersion of another account)', async () => {
  const message = await startFailure((_, template) => {
    const distribution = template.Resources[logicalIdAt(template, 'Site/Distribution/Resource')];
    for (const origin of distribution.Properties.DistributionConfig.Origins) {
      for (const header of origin.OriginCustomHeaders ?? []) header.HeaderValue['Fn::Join'][1][2] = ':SecretString:::no-such-version}}';
    }
  });
  expect(message).toMatch(
    /the site's origin header x-origin-verify: arn:aws:secretsmanager:local:000000000000:secret:\S+ \(no-such-version\) is not in the local Secrets Manager/,
  );
});

test('a function whose secret variable names nothing the local Secrets Manager holds does not start: a check is never silently off', async () => {
  const message = await startFailure((_, template) => {
    template.Resources[logicalIdAt(template, 'AdminApi/Resource')].Properties.Environment.Variables.ORIGIN_SECRET_ARN = {
      Ref: 'NoSuchSecret',
    };
  });
  expect(message).toMatch(
    /function AdminApi: variable ORIGIN_SECRET_ARN: NoSuchSecret, which the template does not define has no local counterpart/,
  );
});
