import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { API_PATH_PREFIX } from '../functions/http/route-table';
import { CONFIG_PATH, CONSOLE_PAGE, CONSOLE_PATH, WEB_ROOT, writeWebAssets } from '../web/build';
import type { PageConfig } from '../web/src/page-config';
import { guard, LOG_GROUP_ACKNOWLEDGEMENTS, NOT_IN_A_VPC } from './policy-checks';

export interface StaticSiteProps {
  /**
   * The HTTP API, served under the site's own origin at `/api/*`: its execute-api host, and the
   * headers CloudFront adds to every request it forwards there (the origin secret).
   */
  readonly api?: { readonly domainName: string; readonly originHeaders: Readonly<Record<string, string>> };
  /** The ARN of a CloudFront-scope WAF web ACL (lib/edge-protection-stack.ts, in us-east-1). */
  readonly webAclArn?: string;
}

/**
 * The web page as a static site: a private bucket that only this distribution may read (origin
 * access control), behind CloudFront over HTTPS with security headers. The same distribution
 * serves the HTTP API at `/api/*`, so the page calls only its own origin and Cognito, and the
 * web ACL sees every call; `publish` uploads the page with its config.json.
 *
 * The bucket is retained when the stack is deleted, like the tables and the user pool: emptying it
 * on delete would take a custom resource whose function may delete every object, and its files are
 * only build output, cheap to keep and quick to remove by hand with the rest of a retired stage.
 */
export class StaticSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<id>.cloudfront.net`: the page's address, and with `/api` the API's. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Everything the page loads comes from itself; it talks only to itself (the API is at /api) and Cognito of its region.
    const connect = ["'self'", `https://cognito-idp.${region}.amazonaws.com`].join(' ');
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Security headers of the web page',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    const files: cloudfront.BehaviorOptions = {
      origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    };
    // The console's address names no file: a viewer-request function answers it with the console's page,
    // so a bookmark of /app/admin works. Only below /app/admin, so the page's own requests run no function.
    const consolePage = new cloudfront.Function(this, 'ConsolePage', {
      comment: `${CONSOLE_PATH} is the operator console's page`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(consolePageFunction()),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Web page of ${Stack.of(this).stackName}`,
      defaultRootObject: 'index.html',
      defaultBehavior: files,
      additionalBehaviors: {
        [`${CONSOLE_PATH}*`]: {
          ...files,
          functionAssociations: [{ function: consolePage, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
        ...(props.api ? apiBehaviors(this, props.api, headers) : {}),
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    const noAccessLog =
      'Only this distribution reads the bucket (origin access control); viewers are seen at CloudFront, and the files are public build output.';
    Validations.of(this.bucket).acknowledge(
      nag('S1', noAccessLog),
      guard('CT.S3.PR.2', noAccessLog),
      guard('CT.S3.PR.4', "Nothing reacts to the page's files changing: the stack's own deployment writes them."),
      guard(
        'CT.S3.PR.6',
        'The bucket holds one copy of the page (each upload prunes the files it no longer has), so nothing piles up to expire.',
      ),
      guard('CT.S3.PR.9', 'Every deploy replaces the files by design; object lock would forbid exactly that.'),
      guard(
        'CT.S3.PR.10',
        'S3 managed keys: a KMS key would have to be granted to CloudFront and cost a KMS call per uncached request, for public build output.',
      ),
      guard(
        'CT.S3.PR.11',
        'Every version of the page can be built again from git; versioning would only pile up copies of public build output.',
      ),
    );
    const defaultCertificate =
      'The default *.cloudfront.net certificate fixes the TLS policy; with a custom domain, use an ACM certificate, sni-only and minimumProtocolVersion TLSv1.2_2021.';
    const noEdgeLog =
      "The page is static build output, and every API call behind /api is logged by the API stage's own access log (with the caller), so CloudFront's log is not kept.";
    Validations.of(this.distribution).acknowledge(
      nag('CFR1', 'A ticket page for everyone: no country is kept out.'),
      ...(props.webAclArn
        ? []
        : [
            nag(
              'CFR2',
              'No web ACL was named (-c webAclArn=…, from the edge protection stack): a synth for tests or a first deploy; the pipeline always names one. README, "Security".',
            ),
          ]),
      nag('CFR3', noEdgeLog),
      nag('CFR4', defaultCertificate),
      guard('CT.CLOUDFRONT.PR.5', noEdgeLog),
      guard('CT.CLOUDFRONT.PR.6', defaultCertificate),
      guard('CT.CLOUDFRONT.PR.7', defaultCertificate),
      guard('CT.CLOUDFRONT.PR.9', defaultCertificate),
      guard(
        'CT.CLOUDFRONT.PR.4',
        'One origin in one region, like the API the page calls: a failover origin would keep the page up only while the API it needs is down too.',
      ),
    );
  }

  /** Uploads the page, built at synth time, and its config.json (API URL and sign-in, known at deploy time). */
  publish(config: PageConfig): s3deploy.BucketDeployment {
    const stack = Stack.of(this);
    // CDK's upload function gets a role of its own with named actions only, instead of its default
    // (the AWS managed basic execution role and wildcard S3 actions): read the page's asset, replace
    // the site's files, invalidate this distribution, write its own log group.
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', { retention: logs.RetentionDays.ONE_MONTH });
    Validations.of(logGroup).acknowledge(...LOG_GROUP_ACKNOWLEDGEMENTS);
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Uploads the web page to its bucket',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          stack.formatArn({ service: 's3', region: '', account: '', resource: `cdk-*-assets-${stack.account}-${stack.region}/*` }),
        ],
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [this.bucket.bucketArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [
          stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: this.distribution.distributionId }),
        ],
      }),
    );

    const deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      // CDK's own grants to this role are dropped: the statements above are all it gets.
      role: role.withoutPolicyUpdates(),
      logGroup,
      sources: [
        s3deploy.Source.asset(WEB_ROOT, {
          // Hash what is uploaded: the page also bundles constants from functions/.
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Never pulled: the page is built by esbuild in this process, so synth needs no Docker.
            image: DockerImage.fromRegistry('node:20-alpine'),
            local: {
              tryBundle(outputDir: string) {
                writeWebAssets(outputDir);
                return true;
              },
            },
          },
        }),
        s3deploy.Source.jsonData(CONFIG_PATH, config),
      ],
      destinationBucket: this.bucket,
      // File names carry no hash: browsers and edges keep them a minute, and each deploy invalidates the edges.
      cacheControl: [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(Duration.minutes(1))],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 512,
    });
    // The upload runs only once the role's statements are in place.
    deployment.node.addDependency(role);
    const bucketId = stack.resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
    Validations.of(role).acknowledge(
      nag(
        'IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-*-assets-<AWS::AccountId>-<AWS::Region>/*]',
        "The page's asset is an object of the CDK asset bucket of this account and region, named by its hash at deploy time.",
      ),
      nag(`IAM5[Resource::<${bucketId}.Arn>/*]`, 'The upload replaces every file of the site bucket, whose names change with each build.'),
    );
    // CDK keeps its upload function at the stack's top level, one for all its deployments.
    for (const uploader of stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      Validations.of(uploader).acknowledge(
        nag('L1', 'CDK chooses the runtime of its upload function and moves it on with aws-cdk-lib.'),
        NOT_IN_A_VPC,
      );
    }
    return deployment;
  }
}

/**
 * The queue's public state (`GET /concerts/{concertId}/queue/state`, no sign-in), under `/api`. Its
 * only path cached at the edge: every waiting page polls it, and the API says `max-age=1`.
 */
export const QUEUE_STATE_PATH = '/concerts/{concertId}/queue/state';

/** A route's path as a CloudFront path pattern: each `{param}` becomes `*` (which matches any characters). */
export const pathPatternOf = (path: string): string => `${API_PATH_PREFIX}${path.replace(/\{[^}]+\}/g, '*')}`;

/**
 * The API behind the site's own origin, as two behaviours on one origin (the execute-api host, over
 * TLS 1.2, with the origin secret added):
 *
 * - the queue's state, cached: CloudFront keeps an answer as long as the API's `Cache-Control` says
 *   (`max-age=1`, with `stale-while-revalidate`), 1 s when it says nothing, 5 s at most; the cache key,
 *   and so what reaches the API, holds no header, cookie or query string of the viewer (no
 *   Authorization: the route is public, and one answer serves every viewer). So however many pages
 *   poll it, each edge cache asks the API about once a second per concert.
 * - everything else under `/api/*`, uncached: every viewer header but Host forwarded (API Gateway answers
 *   only to its own name; Authorization passes because caching is disabled), every method.
 *
 * CloudFront tries behaviours in order, so the state's comes first.
 */
function apiBehaviors(
  scope: Construct,
  api: NonNullable<StaticSiteProps['api']>,
  headers: cloudfront.IResponseHeadersPolicy,
): Record<string, cloudfront.BehaviorOptions> {
  // One origin object: CloudFront gets one origin for both behaviours.
  const origin = new HttpOrigin(api.domainName, {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
    originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    customHeaders: { ...api.originHeaders },
  });
  const stateCache = new cloudfront.CachePolicy(scope, 'QueueStateCache', {
    comment: "The queue's public state: as long as the API says (max-age=1), 5 s at most; nothing of the viewer in the key",
    minTtl: Duration.seconds(0),
    defaultTtl: Duration.seconds(1),
    maxTtl: Duration.seconds(5),
    headerBehavior: cloudfront.CacheHeaderBehavior.none(),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
  return {
    // No origin request policy: only the cache key (nothing of the viewer) and the origin secret reach the API.
    [pathPatternOf(QUEUE_STATE_PATH)]: {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: stateCache,
      responseHeadersPolicy: headers,
      compress: true,
    },
    [`${API_PATH_PREFIX}/*`]: {
      origin,
      // No redirect: a POST redirected to https would arrive as a GET.
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
      compress: true,
    },
  };
}

/** `/app/admin` and `/app/admin/` become the console's page; every other path is left as it is. */
function consolePageFunction(): string {
  const paths = JSON.stringify([CONSOLE_PATH, `${CONSOLE_PATH}/`]);
  return `function handler(event) {
  var request = event.request;
  if (${paths}.indexOf(request.uri) >= 0) request.uri = ${JSON.stringify(`/${CONSOLE_PAGE}`)};
  return request;
}`;
}

const nag = (rule: string, reason: string) => ({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
