import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { IDEMPOTENCY_HEADER } from '../functions/idempotency/idempotency-key';
import {
  ACCESS_TOKEN_SCOPE,
  API_PATH_PREFIX,
  NOT_FOUND_HANDLER,
  routeKeyOf,
  routes,
  type HandlerGroup,
} from '../functions/http/route-table';
import { AdminUsers, APP_CLIENT_OPTIONS } from './admin-users';
import { guard, LOG_GROUP_ACKNOWLEDGEMENTS } from './policy-checks';
import type { StageConfig } from './stage-config';

export interface ServiceApiProps {
  /** The function of each handler group. */
  readonly groupFunctions: ReadonlyMap<HandlerGroup, lambda.IFunction>;
  /** Throttling and CORS origins of the stage. */
  readonly config: Pick<StageConfig, 'throttle' | 'routeThrottles' | 'allowedOrigins'>;
}

/**
 * One JSON line per request in the stage's access log: who, what, the outcome and its timing.
 * No headers, no query string, no body: never a token or a key. `user` is the verified token's
 * subject (HTTP APIs name JWT claims `$context.authorizer.claims.<claim>`), `-` on public routes;
 * `ip` is CloudFront's edge, so the viewer's address is in the web ACL's logs and sampled requests.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    user: '$context.authorizer.claims.sub',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    userAgent: '$context.identity.userAgent',
  }),
);

/** Each route's permission to invoke its function (a child of the route): the Guard rule cannot read its source. */
const INVOKED_BY_THIS_API_ONLY = guard(
  'CT.LAMBDA.PR.2',
  "Only API Gateway may invoke the function, and only for this route of this API: SourceArn is the route's execute-api ARN, an Fn::Join the rule cannot read (it accepts a literal, a Ref or a GetAtt only).",
);

/** Headers a browser page may send and read across origins. */
const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'x-queue-token', IDEMPOTENCY_HEADER, 'if-match'];
const CORS_EXPOSE_HEADERS = ['retry-after', 'idempotent-replayed', 'etag'];

/**
 * The HTTP API and who may call it: a Cognito user pool whose tokens the JWT authorizer checks
 * on every route that is not public. One route per row of the route table; anything else goes
 * to the public group, which answers the contract's JSON 404.
 */
export class ServiceApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** The operators' pool, with MFA required; only its tokens reach the admin routes. */
  readonly adminUsers: AdminUsers;
  /** The `api` stage (`/api/...`, as CloudFront forwards it): throttled, with an access log. */
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Users may add an authenticator app; requiring it is a product decision (see the acknowledgement below).
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is offered (authenticator app) but not required: whether ticket buyers must use it is a product decision for the sign-in page, not for this API.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is billed per active user; a stage that wants it turns it on. The API trusts only verified JWTs either way.',
    });
    this.userPoolClient = this.userPool.addClient('ApiClient', APP_CLIENT_OPTIONS);
    this.adminUsers = new AdminUsers(this, 'Admins');

    const integrations = new Map<HandlerGroup, HttpLambdaIntegration>();
    const integrationOf = (group: HandlerGroup) => {
      let integration = integrations.get(group);
      if (!integration) {
        const fn = props.groupFunctions.get(group);
        if (!fn) throw new Error(`no function for handler group '${group}'`);
        integration = new HttpLambdaIntegration(`${group}Integration`, fn);
        integrations.set(group, integration);
      }
      return integration;
    };

    const { throttle, routeThrottles, allowedOrigins } = props.config;
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: Stack.of(this).stackName,
      description: 'Concert reservation API',
      // The $default route: no authorizer, so an unknown path gets the contract's 404, not API Gateway's.
      defaultIntegration: integrationOf(NOT_FOUND_HANDLER.group),
      // The page calls the API on its own origin (/api through CloudFront), so no CORS is needed; a stage
      // may still name origins (a developer's page), and with none browsers may not call across origins at all.
      ...(allowedOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...allowedOrigins],
              allowMethods: [...new Set(routes.map((route) => apigw.CorsHttpMethod[route.method]))],
              allowHeaders: CORS_ALLOW_HEADERS,
              exposeHeaders: CORS_EXPOSE_HEADERS,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
      createDefaultStage: false,
    });
    const defaultRouteReason = "The $default route only answers the contract's JSON 404 for unknown paths; it reads nothing.";
    Validations.of(this.httpApi.node.findChild('DefaultRoute')).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: defaultRouteReason },
      guard('CT.APIGATEWAY.PR.5', defaultRouteReason),
      INVOKED_BY_THIS_API_ONLY,
    );

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    Validations.of(this.accessLogs).acknowledge(...LOG_GROUP_ACKNOWLEDGEMENTS);
    // Named like the path CloudFront forwards: API Gateway takes the stage off `/api/concerts` and matches `/concerts`.
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: API_PATH_PREFIX.slice(1),
      autoDeploy: true,
      throttle,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: [this.userPoolClient],
    });
    const adminAuthorizer = new HttpUserPoolAuthorizer('AdminAuthorizer', this.adminUsers.userPool, {
      userPoolClients: [this.adminUsers.userPoolClient],
    });
    const noAuthorizer = new apigw.HttpNoneAuthorizer();
    for (const route of routes) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationOf(route.group),
        authorizer: route.auth === 'public' ? noAuthorizer : route.auth === 'admin' ? adminAuthorizer : authorizer,
        // Access tokens only: an ID token has no scope claim, so the authorizer refuses it.
        ...(route.auth === 'public' ? {} : { authorizationScopes: [ACCESS_TOKEN_SCOPE] }),
      });
      Validations.of(httpRoute).acknowledge(INVOKED_BY_THIS_API_ONLY);
      if (route.auth === 'public') {
        const reason = `${routeKeyOf(route)} is public by the contract (README, "The API"): it needs no sign-in and returns no one's data.`;
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason }, guard('CT.APIGATEWAY.PR.5', reason));
      }
      // Per-route limits name routes, so the stage must come after them.
      this.stage.node.addDependency(httpRoute);
    }
    // RouteSettings is plain JSON to CloudFormation: its keys are written as the template spells them.
    const cfnStage = this.stage.node.defaultChild as apigw.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      Object.entries(routeThrottles).map(([routeKey, limits]) => [
        routeKey,
        { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
      ]),
    );
  }
}
