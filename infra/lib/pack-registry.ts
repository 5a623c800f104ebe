import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpStage,
  LogGroupLogDestination,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import * as lintConfigParser from '../../core/lint-config.ts';
import { compileLintConfig } from '../../lambdas/registry/lint-config.ts';
import { checked, isLintConfigPath, SETTINGS } from '../../lambdas/registry/settings.ts';
import { RegistryAlarms } from './alarms.ts';
import { GcJob, type GcJobOptions } from './gc-job.ts';
import { registryBundling } from './lambda-bundling.ts';
import { grantRegistryAccess } from './permissions.ts';
import { RegistryStorage } from './storage.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PackRegistryDomain {
  /** The registry's host name, e.g. `packs.example.com`. */
  readonly name: string;
  /** An ACM certificate for `name`, in the stack's region (a regional API Gateway domain). */
  readonly certificateArn: string;
  /** A Route 53 public hosted zone to create the alias record in; without it, point DNS yourself. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

export interface PackRegistryProps {
  /** Names the API and, after the stack name, the alarms (`<stack>-<name>-5xx-rate`). @default 'packyard' */
  readonly name?: string;
  /** A custom domain (the registry's public URL); without it, the execute-api URL. */
  readonly domain?: PackRegistryDomain;
  /**
   * Stage-wide request limits: they bound what a runaway client can cost (every request is a
   * Lambda invocation). @default 100 requests/s, bursts of 200
   */
  readonly throttling?: { readonly rateLimit?: number; readonly burstLimit?: number };
  /** Let requests without credentials pull (never push). @default false */
  readonly anonymousPull?: boolean;
  /** `enforce`: a pushed pack with lint errors is refused; `warn`: accepted. @default 'enforce' */
  readonly lintPolicy?: 'enforce' | 'warn';
  /**
   * Let `packyard push --force --message` replace a pack version's content (Spectro's rule).
   * @default false: pack versions are immutable
   */
  readonly allowOverwrite?: boolean;
  /** Bearer token lifetime in seconds, 30–900. @default 300 */
  readonly tokenTtlSeconds?: number;
  /**
   * Rule severities for re-linting pushed packs: `.packyard.yaml` text, the YAML itself (the
   * function has none of your files; `readFileSync(path, 'utf8')` it), at most 3 KiB (Lambda's
   * environment holds 4 KB in all). Checked at synth. @default - each rule's own severity
   */
  readonly lintConfig?: string;
  /** Failed logins allowed per user name within a window, then 429 until it closes. @default 10 */
  readonly loginFailuresPerUser?: number;
  /** Failed logins allowed per source address within a window. @default 100 */
  readonly loginFailuresPerSource?: number;
  /** Length of a failed-login window in seconds, 60–86400. @default 900 */
  readonly loginFailureWindowSeconds?: number;
  /**
   * GitHub OIDC trusted publishing: the token issuer to trust and the audience workflows request.
   * @default - GitHub Actions' issuer; the audience is the custom domain's URL, else
   * `packyard:<stack id>` (unique per deployment)
   */
  readonly trustedPublishing?: { readonly issuer?: string; readonly audience?: string };
  /** How long API access logs, Lambda logs and S3 server access logs are kept. @default three months */
  readonly logRetention?: RetentionDays;
  /**
   * What `cdk destroy` does to the blob bucket and the index table (and their logs). RETAIN keeps
   * the data; DESTROY deletes the table, and the bucket only when it is empty.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * S3 server access logs of the blob bucket, to a second bucket. Pulls download from S3 through
   * presigned URLs, so these logs are the only record of who fetched which blob. @default true
   */
  readonly serverAccessLogs?: boolean;
  /** Where alarms notify (an SNS topic). @default - alarms are created without actions */
  readonly alarmTopic?: ITopic;
  /** 5xx responses, in percent of requests, that raise the alarm. @default 5 */
  readonly serverErrorRatePercent?: number;
  /** Lambda memory in MB. @default 1769 (one full vCPU) */
  readonly memorySize?: number;
  /**
   * Scheduled garbage collection and retention (docs/deploy.md); `false` leaves storage to grow.
   * @default hourly, no retention rules, 24 h grace, 15 min fence
   */
  readonly gc?: GcJobOptions | false;
}

const DEFAULT_THROTTLING = { rateLimit: 100, burstLimit: 200 };
/** What the lint configuration may take of the 4 KB a Lambda's environment holds in all. */
const MAX_LINT_CONFIG_BYTES = 3 * 1024;

/** The lintConfig prop as the function's variable: inline YAML, small enough, and valid. */
function deployedLintConfig(yaml: string): string {
  const source = yaml.trim();
  if (isLintConfigPath(source))
    throw new Error(
      `lintConfig must be the YAML itself, not a path (${source.slice(0, 100)}): the function cannot read your files; pass readFileSync(path, 'utf8')`,
    );
  checked('lintConfig', source, 'lintConfig');
  const bytes = Buffer.byteLength(source);
  if (bytes > MAX_LINT_CONFIG_BYTES)
    throw new Error(
      `lintConfig is ${bytes} bytes; at most ${MAX_LINT_CONFIG_BYTES} fit the function's environment (4 KB in all)`,
    );
  const compiled = compileLintConfig(source, lintConfigParser, 'lintConfig');
  if (!compiled.ok) throw new Error(compiled.message);
  return source;
}

/**
 * The Packyard registry on AWS: an HTTP API whose every route goes to one Lambda (the registry
 * handler), blobs in S3, the index in DynamoDB, the token signing key in Secrets Manager.
 */
export class PackRegistry extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly function: NodejsFunction;
  readonly storage: RegistryStorage;
  readonly tokenSecret: Secret;
  readonly alarms: RegistryAlarms;
  /** The scheduled garbage collection and retention job (absent with `gc: false`). */
  readonly gc?: GcJob;
  /** The registry's base URL, without a trailing slash (what clients and Palette use). */
  readonly url: string;
  /** The host clients use: `docker login <host>`, `packyard push --registry <host>`. */
  readonly host: string;

  constructor(scope: Construct, id: string, props: PackRegistryProps = {}) {
    super(scope, id);
    const name = props.name ?? 'packyard';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    const stack = Stack.of(this);

    this.storage = new RegistryStorage(this, 'Storage', {
      removalPolicy,
      logRetention,
      serverAccessLogs: props.serverAccessLogs ?? true,
    });

    // The HMAC key of bearer tokens. Generated here and read by the function on its first token,
    // so it never appears in the template or the function's configuration. 64 alphanumeric
    // characters decode (as base64) to 48 random-looking bytes: above the 32 the registry requires.
    this.tokenSecret = new Secret(this, 'TokenSecret', {
      description: `${name}: signing key of the registry's bearer tokens`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Losing it only invalidates bearer tokens (5 minutes); credentials live in the table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The token signing key is not rotated automatically: a rotation invalidates every bearer token in flight (5 minutes by default, at most 15), and containers keep the key they loaded. Rotate it by hand (docs/deploy.md): put a new value, then update the function so fresh containers load it.',
    });

    const domain = props.domain;
    const publicUrl = domain ? `https://${domain.name}` : undefined;

    const logGroup = new LogGroup(this, 'FunctionLogs', { retention: logRetention, removalPolicy });
    const role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${name}: the registry function (its bucket prefixes, its table, its secret, its logs)`,
    });

    const environment: Record<string, string> = {
      PACKYARD_BUCKET: this.storage.bucket.bucketName,
      PACKYARD_TABLE: this.storage.table.tableName,
      PACKYARD_TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
      // The registry's settings (lambdas/registry/settings.ts), checked here so a bad prop fails
      // the synth, naming the prop, instead of the function's start.
      [SETTINGS.service.env]: SETTINGS.service.default,
      [SETTINGS.anonymousPull.env]: checked(
        'anonymousPull',
        props.anonymousPull ?? SETTINGS.anonymousPull.default,
        'anonymousPull',
      ),
      [SETTINGS.lintPolicy.env]: checked(
        'lintPolicy',
        props.lintPolicy ?? SETTINGS.lintPolicy.default,
        'lintPolicy',
      ),
      [SETTINGS.allowOverwrite.env]: checked(
        'allowOverwrite',
        props.allowOverwrite ?? SETTINGS.allowOverwrite.default,
        'allowOverwrite',
      ),
      [SETTINGS.tokenTtlSeconds.env]: checked(
        'tokenTtlSeconds',
        props.tokenTtlSeconds ?? SETTINGS.tokenTtlSeconds.default,
        'tokenTtlSeconds',
      ),
      [SETTINGS.loginFailuresPerUser.env]: checked(
        'loginFailuresPerUser',
        props.loginFailuresPerUser ?? SETTINGS.loginFailuresPerUser.default,
        'loginFailuresPerUser',
      ),
      [SETTINGS.loginFailuresPerSource.env]: checked(
        'loginFailuresPerSource',
        props.loginFailuresPerSource ?? SETTINGS.loginFailuresPerSource.default,
        'loginFailuresPerSource',
      ),
      [SETTINGS.loginFailureWindowSeconds.env]: checked(
        'loginFailureWindowSeconds',
        props.loginFailureWindowSeconds ?? SETTINGS.loginFailureWindowSeconds.default,
        'loginFailureWindowSeconds',
      ),
    };
    if (props.lintConfig !== undefined)
      environment[SETTINGS.lintConfig.env] = deployedLintConfig(props.lintConfig);
    if (publicUrl) environment[SETTINGS.publicUrl.env] = publicUrl;
    environment[SETTINGS.oidcIssuer.env] = checked(
      'oidcIssuer',
      props.trustedPublishing?.issuer ?? SETTINGS.oidcIssuer.default,
      'trustedPublishing.issuer',
    );
    // Each deployment its own audience, so an ID token requested for one registry is refused by
    // every other (the Action reads it from GET /api/v1/oidc): the public URL, else the stack's id.
    environment[SETTINGS.oidcAudience.env] = checked(
      'oidcAudience',
      props.trustedPublishing?.audience ?? publicUrl ?? `packyard:${Stack.of(this).stackId}`,
      'trustedPublishing.audience',
    );

    // The web catalog's built files (scripts/build-web.mjs) as a layer: unpacked at /opt/web,
    // served by the function, and no weight on its bundle or its cold start.
    const catalogDir = path.join(ROOT, 'build', 'catalog');
    if (!existsSync(path.join(catalogDir, 'web', 'index.html')))
      throw new Error(`the web catalog is not built (${catalogDir}/web): run "npm run build" first`);
    const catalog = new LayerVersion(this, 'Catalog', {
      description: `${name}: the Packyard web catalog (static files)`,
      code: Code.fromAsset(catalogDir),
      compatibleArchitectures: [Architecture.ARM_64],
    });
    environment.PACKYARD_WEB_DIR = '/opt/web';

    this.function = new NodejsFunction(this, 'Function', {
      description: `${name}: Packyard OCI pack registry (API Gateway HTTP API handler)`,
      entry: path.join(ROOT, 'lambdas', 'registry', 'handler.ts'),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // A push re-lints the pack: inflating and parsing up to 64 MiB of archive (256 MiB
      // inflated) is CPU-bound, single-threaded work. 1,769 MB is where Lambda gives one full vCPU;
      // more memory adds a second vCPU the lint cannot use, less slows pushes proportionally.
      // Pulls are short I/O waits, so the size barely changes their cost.
      memorySize: props.memorySize ?? 1769,
      // API Gateway HTTP API gives up after 30 s; stopping at 29 s ends the invocation (and its
      // bill) before that and leaves the client a clean error instead of a dangling Lambda.
      timeout: Duration.seconds(29),
      role,
      logGroup,
      environment,
      layers: [catalog],
      bundling: registryBundling(),
    });

    grantRegistryAccess(role, {
      bucket: this.storage.bucket,
      table: this.storage.table,
      secret: this.tokenSecret,
      logGroup,
    });

    const domainName = domain
      ? new DomainName(this, 'Domain', {
          domainName: domain.name,
          certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
          securityPolicy: SecurityPolicy.TLS_1_2,
        })
      : undefined;

    this.api = new HttpApi(this, 'Api', {
      apiName: name,
      description: `${name}: Packyard OCI pack registry`,
      defaultIntegration: new HttpLambdaIntegration('Registry', this.function),
      // The stage is created below, with throttling and access logs the default stage cannot take.
      createDefaultStage: false,
    });
    // The registry authenticates every request itself (Basic, bearer tokens, OIDC) and must answer
    // with the OCI token protocol's WWW-Authenticate challenges, which an API Gateway authorizer
    // cannot produce; /health and anonymous pulls (when enabled) need no credentials at all.
    for (const child of this.api.node.findAll()) {
      if (child.node.id === 'DefaultRoute') {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Authorization is done by the registry handler (Basic, bearer tokens, OIDC) with the OCI token protocol challenges clients expect; an API Gateway authorizer cannot speak it.',
        });
      }
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    const throttle = { ...DEFAULT_THROTTLING, ...props.throttling };
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No headers, no query strings: nothing that could carry a credential or a token.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            bytes: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
      ...(domainName && { domainMapping: { domainName } }),
    });

    const executeApiHost = `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.host = domain ? domain.name : executeApiHost;
    this.url = `https://${this.host}`;

    if (domain?.hostedZone && domainName) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: domain.hostedZone.id,
        zoneName: domain.hostedZone.name,
      });
      new ARecord(this, 'Alias', {
        zone,
        recordName: domain.name,
        target: RecordTarget.fromAlias(
          new ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
        ),
      });
    }

    if (props.gc !== false) {
      this.gc = new GcJob(this, 'Gc', {
        ...props.gc,
        name,
        bucket: this.storage.bucket,
        table: this.storage.table,
        logRetention,
        removalPolicy,
      });
    }

    this.alarms = new RegistryAlarms(this, 'Alarms', {
      name,
      stage: this.stage,
      function: this.function,
      serverErrorRatePercent: props.serverErrorRatePercent ?? 5,
      topic: props.alarmTopic,
    });
  }
}
