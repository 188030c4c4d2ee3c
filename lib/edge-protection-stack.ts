import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { API_PATH_PREFIX } from '../functions/http/route-table';

/** `count` only records what the rules would do (metrics, sampled requests); `block` enforces them. */
export type WafMode = 'count' | 'block';

export interface EdgeLimits {
  /** Requests to /api/* per client IP address in each window, before a 429. Many people may share one address (mobile carriers' NAT). */
  readonly perIp: number;
  /** Requests to /api/* per Authorization header (one signed-in session) in each window. */
  readonly perToken: number;
  /** The window in seconds (WAF allows 60, 120, 300, 600). */
  readonly windowSeconds: 60 | 120 | 300 | 600;
}

/**
 * Sized from docs/SCALE.md: a waiting person polls at most once a second (Retry-After is 1–30 s) and an
 * ACTIVE one makes ~10 requests in five minutes, so 120 a minute per session is many times what a page
 * sends and far below the ~500/s a bot needs to starve POST /payments. Per address, 3,000 a minute lets
 * a large NAT (hundreds of people polling) through while one machine flooding from one address is cut off.
 */
export const DEFAULT_EDGE_LIMITS: EdgeLimits = { perIp: 3000, perToken: 120, windowSeconds: 60 };

export interface EdgeProtectionStackProps extends StackProps {
  readonly mode: WafMode;
  readonly limits?: EdgeLimits;
}

/** The body of a rate-limited answer: the contract's error shape, as the API's own 429s. */
const TOO_MANY_REQUESTS_BODY = JSON.stringify({
  error: { code: 'TOO_MANY_REQUESTS', message: 'too many requests from this client; wait a minute and try again' },
});

/**
 * Per-client limits before the functions: a WAF web ACL for the site's CloudFront distribution,
 * which serves the page and the API (`/api/*`). A CloudFront web ACL must live in us-east-1, so it
 * is a small stack of its own, deployed before the service's stack, which takes its ARN
 * (`-c webAclArn=`, README "Deploying").
 *
 * Rules, cheapest first: the AWS IP reputation list (known bots, scanners, DDoS sources); a rate
 * limit per Authorization header (one session cannot flood a route for everyone, the token bucket's
 * weakness); a rate limit per client address (floods without a token, or with many tokens).
 * In `count` mode nothing is blocked: watch the metrics through one sale, then deploy with `-c wafMode=block`.
 */
export class EdgeProtectionStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeProtectionStackProps) {
    super(scope, id, props);
    if (this.region !== 'us-east-1')
      throw new Error(`a CloudFront web ACL lives in us-east-1; this stack is in '${this.region}' (set env.region)`);
    const limits = props.limits ?? DEFAULT_EDGE_LIMITS;
    const block = props.mode === 'block';
    const metric = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${this.stackName}-${name}`.replace(/[^\w-]/g, '-'),
      sampledRequestsEnabled: true,
    });
    const tooMany: wafv2.CfnWebACL.RuleActionProperty = block
      ? {
          block: {
            customResponse: {
              responseCode: 429,
              customResponseBodyKey: 'tooManyRequests',
              responseHeaders: [{ name: 'retry-after', value: String(limits.windowSeconds) }],
            },
          },
        }
      : { count: {} };
    // Only the API is limited: the page's few files are cached at the edge and cost the service nothing.
    const apiOnly: wafv2.CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'STARTS_WITH',
        searchString: `${API_PATH_PREFIX}/`,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: `Per-client limits of ${this.stackName.replace(/-Edge$/, '')}, ${props.mode} mode`,
      defaultAction: { allow: {} },
      visibilityConfig: metric('all'),
      customResponseBodies: { tooManyRequests: { contentType: 'APPLICATION_JSON', content: TOO_MANY_REQUESTS_BODY } },
      rules: [
        {
          name: 'IpReputation',
          priority: 0,
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' } },
          overrideAction: block ? { none: {} } : { count: {} },
          visibilityConfig: metric('ip-reputation'),
        },
        {
          name: 'RatePerSession',
          priority: 1,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: limits.perToken,
              evaluationWindowSec: limits.windowSeconds,
              // A request without the header is not counted here; the per-address rule sees it.
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              scopeDownStatement: apiOnly,
            },
          },
          visibilityConfig: metric('rate-per-session'),
        },
        {
          name: 'RatePerIp',
          priority: 2,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: limits.perIp,
              evaluationWindowSec: limits.windowSeconds,
              aggregateKeyType: 'IP',
              scopeDownStatement: apiOnly,
            },
          },
          visibilityConfig: metric('rate-per-ip'),
        },
      ],
    });

    new CfnOutput(this, 'WebAclArn', {
      value: this.webAcl.attrArn,
      description: 'Pass to the service stack: cdk deploy -c webAclArn=<this>',
    });
  }
}

/** Reads `-c wafMode=count|block` (count unless told). */
export function readWafMode(tryGetContext: (key: string) => unknown): WafMode {
  const mode = String(tryGetContext('wafMode') ?? 'count');
  if (mode !== 'count' && mode !== 'block') throw new Error(`wafMode '${mode}' must be count or block`);
  return mode;
}
