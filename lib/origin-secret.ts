import { SecretValue, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_SECRET_ENV, ORIGIN_SECRET_HEADER } from '../functions/http/middleware/origin-secret';

export interface OriginSecretProps {
  /**
   * The secret version CloudFront sends (`-c originSecretVersion=<VersionId>`), after a rotation.
   * CloudFormation resolves the secret only when the distribution changes: naming the new version
   * changes it. Unset: the current value at the distribution's last update.
   */
  readonly versionId?: string;
}

/**
 * The shared secret that proves a request came through the site's CloudFront distribution:
 * CloudFront adds it as a header to every request to the API, and the API functions compare it
 * (functions/http/middleware/origin-secret.ts). Kept in Secrets Manager, never in the template or
 * in an environment variable: the distribution gets it by dynamic reference at deploy time, the
 * functions read it at run time.
 *
 * Rotating (README, "Security"): put a new value (`aws secretsmanager put-secret-value`), wait five
 * minutes (the functions then accept the new and the previous value), deploy with
 * `-c originSecretVersion=<the new VersionId>`.
 */
export class OriginSecret extends Construct {
  readonly secret: secretsmanager.Secret;
  private readonly versionId?: string;

  constructor(scope: Construct, id: string, props: OriginSecretProps = {}) {
    super(scope, id);
    this.versionId = props.versionId;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `Value of the ${ORIGIN_SECRET_HEADER} header CloudFront adds to requests to the API`,
      // Letters and digits only: it travels as an HTTP header value.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation needs CloudFront updated with the new value (a deploy naming its version), which a rotation function cannot do without holding rights to the distribution; it is a documented two-step rotation in the README instead, and the functions accept the previous value meanwhile.',
    });
  }

  /** The origin header for CloudFront: a dynamic reference, resolved by CloudFormation at deploy time. */
  get originHeaders(): Record<string, string> {
    const value = SecretValue.secretsManager(this.secret.secretArn, this.versionId ? { versionId: this.versionId } : {});
    return { [ORIGIN_SECRET_HEADER]: value.unsafeUnwrap() };
  }

  /** Turns the check on in a function: it learns the secret's ARN and may read its values, nothing else. */
  checkIn(fn: lambda.Function): void {
    fn.addEnvironment(ORIGIN_SECRET_ENV, this.secret.secretArn);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }));
  }
}
