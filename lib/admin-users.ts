import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ADMIN_GROUP } from '../functions/http/route-table';

/** Tokens of both pools live this long; the page and the CLI renew them with the refresh token. */
export const TOKEN_VALIDITY = Duration.minutes(15);
/** How long a sign-in lasts without a password: a working day at most. */
export const REFRESH_TOKEN_VALIDITY = Duration.hours(12);

/** The app client settings both pools share: no OAuth (InitiateAuth only), short tokens, no secret. */
export const APP_CLIENT_OPTIONS: cognito.UserPoolClientOptions = {
  generateSecret: false,
  // USER_PASSWORD_AUTH lets a tester get a token with the AWS CLI; SRP is for real clients.
  authFlows: { userPassword: true, userSrp: true },
  // The page signs in with InitiateAuth, not the hosted UI: no OAuth flows, scopes or callback URLs at all.
  disableOAuth: true,
  accessTokenValidity: TOKEN_VALIDITY,
  idTokenValidity: TOKEN_VALIDITY,
  refreshTokenValidity: REFRESH_TOKEN_VALIDITY,
  enableTokenRevocation: true,
  preventUserExistenceErrors: true,
};

/**
 * The operators: a user pool of their own where an authenticator app (TOTP) is required, so an
 * admin route is never reached with a password alone. Ticket buyers stay in the main pool, where
 * MFA is optional; the admin routes' authorizer trusts only this pool, and the handler still
 * requires the `admin` group of the token.
 */
export class AdminUsers extends Construct {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Pool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      // An authenticator app, never SMS (SIM swaps; and SMS needs an SNS role and a budget).
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Admins sign in with a required authenticator app (TOTP); threat protection (the Plus plan, billed per active user) would add little for a handful of operators. README, "Security".',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan is not needed: MFA is required in this pool, which is what its threat protection would otherwise ask for on risky sign-ins.',
    });
    this.userPoolClient = this.userPool.addClient('ConsoleClient', APP_CLIENT_OPTIONS);
    new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: ADMIN_GROUP,
      description: 'May call the admin routes',
    });
  }
}
