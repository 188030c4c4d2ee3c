import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { NOT_FOUND_HANDLER, routes, type HandlerGroup } from '../functions/http/route-table';

/** The Cognito group that admin routes require (checked by the handlers from the token's `cognito:groups`). */
export const ADMIN_GROUP = 'admin';

export interface ServiceApiProps {
  /** The function of each handler group. */
  readonly groupFunctions: ReadonlyMap<HandlerGroup, lambda.IFunction>;
}

/**
 * The HTTP API and who may call it: a Cognito user pool whose tokens the JWT authorizer checks
 * on every route that is not public. One route per row of the route table; anything else goes
 * to the public group, which answers the contract's JSON 404.
 */
export class ServiceApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;

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
    });
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      generateSecret: false,
      // USER_PASSWORD_AUTH lets a tester get a token with the AWS CLI; SRP is for real clients.
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
    });
    new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: ADMIN_GROUP,
      description: 'May call the admin routes',
    });

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

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: Stack.of(this).stackName,
      description: 'Concert reservation API',
      // The $default route: no authorizer, so an unknown path gets the contract's 404, not API Gateway's.
      defaultIntegration: integrationOf(NOT_FOUND_HANDLER.group),
    });

    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: [this.userPoolClient],
    });
    const noAuthorizer = new apigw.HttpNoneAuthorizer();
    for (const route of routes) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationOf(route.group),
        authorizer: route.auth === 'public' ? noAuthorizer : authorizer,
      });
    }
  }
}
