import { createHash, timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, UnavailableError } from '../../shared/errors';
import { log } from '../../shared/logger';

/** The header CloudFront adds to every request it sends to the API (lib/static-site.ts). */
export const ORIGIN_SECRET_HEADER = 'x-origin-verify';
/** The Secrets Manager secret whose value that header carries. Set by the stack on the API functions; unset (locally), no check. */
export const ORIGIN_SECRET_ENV = 'ORIGIN_SECRET_ARN';
/** How long a function instance trusts the values it read: a rotation is seen within this time. */
export const ORIGIN_SECRET_MAX_AGE_MS = 5 * 60_000;

/** The values the header may carry: the secret's current one and, during a rotation, the previous one. */
export type LoadOriginSecrets = (secretId: string) => Promise<readonly string[]>;

/**
 * Refuses, before anything else is read, a request that did not come through the site's CloudFront
 * distribution: those are not counted by its web ACL's per-client limits. Cheap: one comparison of
 * hashes in constant time against values cached for a few minutes. Off when ORIGIN_SECRET_ARN is unset.
 */
export function originSecret(
  options: { secretId?: string; load?: LoadOriginSecrets; now?: () => number } = {},
): middy.MiddlewareObj<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2> {
  const secretId = options.secretId ?? process.env[ORIGIN_SECRET_ENV];
  const now = options.now ?? Date.now;
  let cached: { digests: Buffer[]; at: number } | undefined;
  let loading: Promise<Buffer[]> | undefined;

  const digests = async (id: string): Promise<Buffer[]> => {
    if (cached && now() - cached.at < ORIGIN_SECRET_MAX_AGE_MS) return cached.digests;
    loading ??= (options.load ?? loadFromSecretsManager)(id)
      .then((values) => {
        cached = { digests: values.filter((value) => value.length > 0).map(digest), at: now() };
        return cached.digests;
      })
      .finally(() => (loading = undefined));
    return loading;
  };

  return {
    before: async (request) => {
      if (!secretId) return;
      let accepted: Buffer[];
      try {
        accepted = await digests(secretId);
      } catch (error) {
        // Fail closed, and say so: a request that cannot be checked is not let through.
        log.warn('origin secret unavailable: answered 503', { cause: error instanceof Error ? error.name : String(error) });
        throw new UnavailableError(2, { cause: error });
      }
      const given = digest(request.event.headers?.[ORIGIN_SECRET_HEADER] ?? '');
      // Every value is compared, so the time taken says nothing about which one (if any) matched.
      let matched = false;
      for (const value of accepted) matched = timingSafeEqual(given, value) || matched;
      if (!matched) throw new AppError('FORBIDDEN', "call the API through the site's address");
    },
  };
}

/** Equal-length inputs for timingSafeEqual, whatever was sent. */
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** AWSCURRENT, and AWSPREVIOUS when there is one (after the first rotation). */
const loadFromSecretsManager: LoadOriginSecrets = async (secretId) => {
  // Loaded only deployed: the local server never sets ORIGIN_SECRET_ARN.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const read = (VersionStage: string) =>
    client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage })).then(
      (answer) => answer.SecretString ?? '',
      (error: { name?: string }) => {
        if (VersionStage === 'AWSPREVIOUS' && error.name === 'ResourceNotFoundException') return '';
        throw error;
      },
    );
  return Promise.all([read('AWSCURRENT'), read('AWSPREVIOUS')]);
};
