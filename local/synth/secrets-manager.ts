import { createHash, randomInt, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

/** A secret of the template as the stand-in creates it. */
export interface LocalSecretSpec {
  readonly logicalId: string;
  /** Its name (the template's `Name`, or one made from the stack and construct path as CloudFormation does). */
  readonly name: string;
  /** The template's `SecretString`, or its `GenerateSecretString` to generate the first value. */
  readonly secretString?: string;
  readonly generate?: GenerateSecretString;
}

/** `GenerateSecretString` as CloudFormation reads it. */
export interface GenerateSecretString {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

interface Version {
  readonly versionId: string;
  readonly secretString: string;
  stages: string[];
  readonly created: number;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  versions: Version[];
}

export interface LocalSecretsManager {
  /** The secret's ARN (what `Ref` of it is) by logical id. */
  readonly arns: ReadonlyMap<string, string>;
  /** A version's value, as a dynamic reference `{{resolve:secretsmanager:…}}` resolves it. */
  value(secretId: string, options?: { versionStage?: string; versionId?: string }): string;
  /** Starts answering on 127.0.0.1; `url` is for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  listen(): Promise<{ readonly url: string; close(): Promise<void> }>;
}

const STORE_FILE = 'local-secrets.json';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The local stand-in for Secrets Manager under start:synth: the template's secrets, with first
 * values generated as its `GenerateSecretString` says, answered over the service's own protocol
 * (JSON 1.1, `X-Amz-Target: secretsmanager.<Operation>`) on 127.0.0.1, so the bundles read them
 * with the SDK exactly as deployed. GetSecretValue by stage (AWSCURRENT, AWSPREVIOUS) or version,
 * and PutSecretValue to rotate (the new value AWSCURRENT, the one it replaces AWSPREVIOUS). With a
 * data directory the values are kept there, so tokens signed before a restart still verify.
 */
export function openLocalSecretsManager(
  specs: readonly LocalSecretSpec[],
  options: { dataDir?: string; region: string; account: string },
): LocalSecretsManager {
  const file = options.dataDir ? join(options.dataDir, STORE_FILE) : undefined;
  const saved: Record<string, StoredSecret> = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets = new Map<string, StoredSecret>();
  for (const spec of specs) {
    // The ARN ends in six characters of its own, as Secrets Manager's do; stable for a name.
    const suffix = createHash('sha256').update(spec.name).digest('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const arn = `arn:aws:secretsmanager:${options.region}:${options.account}:secret:${spec.name}-${suffix}`;
    const kept = saved[spec.logicalId];
    secrets.set(
      spec.logicalId,
      kept?.arn === arn
        ? kept
        : { arn, name: spec.name, versions: [newVersion(spec.secretString ?? generateSecretString(spec.generate ?? {}), ['AWSCURRENT'])] },
    );
  }
  const save = () => file && writeFileSync(file, JSON.stringify(Object.fromEntries(secrets)), { mode: 0o600 });
  save();

  const find = (secretId: unknown): StoredSecret => {
    const found = [...secrets.values()].find((secret) => secret.arn === secretId || secret.name === secretId);
    if (!found) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  };
  const versionOf = (secret: StoredSecret, versionStage?: unknown, versionId?: unknown): Version => {
    const stage = typeof versionStage === 'string' ? versionStage : versionId ? undefined : 'AWSCURRENT';
    const version = secret.versions.find((v) => (!versionId || v.versionId === versionId) && (!stage || v.stages.includes(stage)));
    if (!version)
      throw new ServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for staging label: " + (stage ?? String(versionId)),
      );
    return version;
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      const version = versionOf(secret, input.VersionStage, input.VersionId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.secretString,
        VersionStages: version.stages,
        CreatedDate: version.created,
      };
    },
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      if (typeof input.SecretString !== 'string' || input.SecretString === '')
        throw new ServiceError('InvalidParameterException', 'You must provide a SecretString.');
      const versionId = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
      const same = secret.versions.find((v) => v.versionId === versionId);
      if (same) {
        if (same.secretString !== input.SecretString)
          throw new ServiceError(
            'ResourceExistsException',
            'A version with this ClientRequestToken already exists with a different value.',
          );
        return { ARN: secret.arn, Name: secret.name, VersionId: same.versionId, VersionStages: same.stages };
      }
      // As the service does: the new value becomes AWSCURRENT, the one it replaces AWSPREVIOUS; older versions keep no label.
      for (const version of secret.versions) {
        version.stages = version.stages
          .filter((stage) => stage !== 'AWSPREVIOUS')
          .map((stage) => (stage === 'AWSCURRENT' ? 'AWSPREVIOUS' : stage));
      }
      const version = newVersion(input.SecretString, ['AWSCURRENT'], versionId);
      secret.versions = [...secret.versions.filter((v) => v.stages.length > 0), version];
      save();
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { __type: 'InternalServiceError', message: String(error) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = /^secretsmanager\.(\w+)$/.exec(String(req.headers['x-amz-target'] ?? ''));
    const operation = target ? operations[target[1]] : undefined;
    if (req.method !== 'POST' || !operation)
      return reply(res, 400, {
        __type: 'UnknownOperationException',
        message: `not served locally: ${String(req.headers['x-amz-target'])}`,
      });
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      reply(res, 200, operation(input));
    } catch (error) {
      if (error instanceof ServiceError) return reply(res, 400, { __type: error.type, message: error.message });
      reply(res, 400, { __type: 'InvalidRequestException', message: 'the request is not valid JSON' });
    }
  }

  return {
    arns: new Map([...secrets].map(([logicalId, secret]) => [logicalId, secret.arn])),
    value: (secretId, { versionStage, versionId } = {}) => versionOf(find(secretId), versionStage, versionId).secretString,
    async listen() {
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolveListen());
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((resolveClose) => {
            server.close(() => resolveClose());
            server.closeAllConnections();
          }),
      };
    },
  };
}

function newVersion(secretString: string, stages: string[], versionId: string = randomUUID()): Version {
  return { versionId, secretString, stages, created: Math.floor(Date.now() / 1000) };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const type = status >= 400 ? { 'x-amzn-errortype': String((body as { __type: string }).__type) } : {};
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    'content-length': String(Buffer.byteLength(text)),
    ...type,
  });
  res.end(text);
}

/** A value as Secrets Manager generates one: the character classes not excluded, one of each by default, 32 characters by default. */
export function generateSecretString(options: GenerateSecretString): string {
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const classes = [
    options.ExcludeUppercase ? '' : UPPER,
    options.ExcludeLowercase ? '' : LOWER,
    options.ExcludeNumbers ? '' : DIGITS,
    options.ExcludePunctuation ? '' : PUNCTUATION,
    options.IncludeSpace ? ' ' : '',
  ]
    .map((chars) => [...chars].filter((char) => !excluded.has(char)).join(''))
    .filter((chars) => chars.length > 0);
  const all = classes.join('');
  const length = options.PasswordLength ?? 32;
  if (all.length === 0 || length < 1) throw new Error('GenerateSecretString leaves no character to use');
  const pick = (chars: string) => chars[randomInt(chars.length)];
  const chars = Array.from({ length }, () => pick(all));
  if (options.RequireEachIncludedType ?? true) {
    // One of each class, at distinct random places.
    const places = [...Array(length).keys()];
    for (let i = places.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [places[i], places[j]] = [places[j], places[i]];
    }
    places.slice(0, classes.length).forEach((place, i) => (chars[place] = pick(classes[i])));
  }
  const password = chars.join('');
  if (options.SecretStringTemplate && options.GenerateStringKey) {
    return JSON.stringify({ ...(JSON.parse(options.SecretStringTemplate) as object), [options.GenerateStringKey]: password });
  }
  return password;
}
