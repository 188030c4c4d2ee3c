import { Validations, type App } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * The policy checks every synth runs: cdk-nag's AwsSolutions rules and the Control Tower proactive
 * controls as CloudFormation Guard rules (the cfn-guard binary ships in the npm package, so this
 * runs offline). `cdk synth` fails on any finding not acknowledged next to its resource.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());
}

/** The Guard rule behind each Control Tower control we acknowledge somewhere: synth prints the control, the acknowledgement needs the rule. */
const GUARD_RULES = {
  'CT.APIGATEWAY.PR.5': 'api_gw_v2_authorization_type_configured_check',
  'CT.CLOUDFRONT.PR.4': 'cloudfront_origin_failover_enabled_check',
  'CT.CLOUDFRONT.PR.5': 'cloudfront_access_logs_enabled_check',
  'CT.CLOUDFRONT.PR.6': 'cloudfront_custom_ssl_certificate_check',
  'CT.CLOUDFRONT.PR.7': 'cloudfront_sni_enabled_check',
  'CT.CLOUDFRONT.PR.9': 'cloudfront_security_policy_check',
  'CT.CLOUDWATCH.PR.2': 'cloudwatch_log_group_retention_period_check',
  'CT.CLOUDWATCH.PR.3': 'cloudwatch_log_group_encrypted_check',
  'CT.KMS.PR.3': 'kms_create_grant_aws_service_check',
  'CT.LAMBDA.PR.2': 'lambda_function_public_access_prohibited_check',
  'CT.LAMBDA.PR.3': 'lambda_inside_vpc_check',
  'CT.S3.PR.2': 's3_bucket_logging_enabled_check',
  'CT.S3.PR.4': 's3_event_notifications_enabled_check',
  'CT.S3.PR.6': 's3_lifecycle_policy_check',
  'CT.S3.PR.9': 's3_bucket_object_lock_enabled_check',
  'CT.S3.PR.10': 's3_bucket_default_encryption_kms_check',
  'CT.S3.PR.11': 's3_bucket_versioning_enabled_check',
} as const;

export type GuardControl = keyof typeof GUARD_RULES;

/** An acknowledgement of a Control Tower control (as `cdk synth` names it), for `Validations.of(x).acknowledge(...)`. */
export const guard = (control: GuardControl, reason: string) => ({ id: `cdk-validator-cfnguard::${GUARD_RULES[control]}`, reason });

/** Shared reasons, for findings that several resources of the same kind get. */
export const LOG_GROUP_ACKNOWLEDGEMENTS = [
  guard(
    'CT.CLOUDWATCH.PR.2',
    'Logs are kept a month: they hold user ids and client IPs, so keeping them longer than finding a bug takes adds risk, not safety. A stage with a retention duty raises it.',
  ),
  guard(
    'CT.CLOUDWATCH.PR.3',
    'CloudWatch Logs encrypts every log group at rest; a customer managed key would add a key policy and a monthly cost for logs that hold no secrets (tokens and keys are masked).',
  ),
];

export const NOT_IN_A_VPC = guard(
  'CT.LAMBDA.PR.3',
  'The function reaches only AWS APIs (DynamoDB, CloudWatch, X-Ray, S3) with IAM-signed requests; a VPC would add NAT or endpoint costs and cold-start time and protect no private resource.',
);
