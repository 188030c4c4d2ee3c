import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** A version 2.0 API Gateway event as the JWT authorizer hands it to a handler. */
export function apiEvent(
  routeKey: string,
  options: { userId?: string; pathParameters?: Record<string, string>; headers?: Record<string, string>; body?: string } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path ?? '/',
    rawQueryString: '',
    headers: options.headers ?? {},
    pathParameters: options.pathParameters,
    body: options.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.com',
      domainPrefix: 'example',
      http: { method: method ?? 'GET', path: path ?? '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: options.userId ? { sub: options.userId } : {}, scopes: [] } },
    },
  };
}
