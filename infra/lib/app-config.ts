import { readFileSync } from 'node:fs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseBoolean, parseChoice, parseWholeNumber } from '../../core/setting-values.ts';
import { parseRetention } from '../../lambdas/registry/gc/retention-settings.ts';
import {
  isLintConfigPath,
  SETTINGS as REGISTRY_SETTINGS,
  type SettingKey,
  type SettingValues,
} from '../../lambdas/registry/settings.ts';
import type { PackRegistryProps } from './pack-registry.ts';

/** What `infra/bin/app.ts` deploys, read from CDK context or the environment. */
export interface AppConfig {
  readonly stackName: string;
  readonly registry: Omit<PackRegistryProps, 'alarmTopic'>;
  /** An existing SNS topic for the alarms. */
  readonly alarmTopicArn?: string;
}

/**
 * Settings, each from context `packyard:<key>` (`cdk deploy -c packyard:domainName=…` or cdk.json)
 * or else the environment variable beside it. The variables are not the Lambda's own names
 * (PACKYARD_ANONYMOUS_PULL…), so a shell set up for `packyard serve` cannot change a deployment.
 * docs/deploy.md lists them.
 */
export const SETTINGS = {
  stackName: 'PACKYARD_DEPLOY_STACK_NAME',
  name: 'PACKYARD_DEPLOY_NAME',
  domainName: 'PACKYARD_DEPLOY_DOMAIN_NAME',
  certificateArn: 'PACKYARD_DEPLOY_CERTIFICATE_ARN',
  hostedZoneId: 'PACKYARD_DEPLOY_HOSTED_ZONE_ID',
  hostedZoneName: 'PACKYARD_DEPLOY_HOSTED_ZONE_NAME',
  anonymousPull: 'PACKYARD_DEPLOY_ANONYMOUS_PULL',
  lintPolicy: 'PACKYARD_DEPLOY_LINT_POLICY',
  allowOverwrite: 'PACKYARD_DEPLOY_ALLOW_OVERWRITE',
  tokenTtlSeconds: 'PACKYARD_DEPLOY_TOKEN_TTL_SECONDS',
  lintConfig: 'PACKYARD_DEPLOY_LINT_CONFIG',
  loginFailuresPerUser: 'PACKYARD_DEPLOY_LOGIN_FAILURES_PER_USER',
  loginFailuresPerSource: 'PACKYARD_DEPLOY_LOGIN_FAILURES_PER_SOURCE',
  loginFailureWindowSeconds: 'PACKYARD_DEPLOY_LOGIN_FAILURE_WINDOW_SECONDS',
  throttleRate: 'PACKYARD_DEPLOY_THROTTLE_RATE',
  throttleBurst: 'PACKYARD_DEPLOY_THROTTLE_BURST',
  logRetentionDays: 'PACKYARD_DEPLOY_LOG_RETENTION_DAYS',
  removalPolicy: 'PACKYARD_DEPLOY_REMOVAL_POLICY',
  serverAccessLogs: 'PACKYARD_DEPLOY_SERVER_ACCESS_LOGS',
  alarmTopicArn: 'PACKYARD_DEPLOY_ALARM_TOPIC_ARN',
  oidcIssuer: 'PACKYARD_DEPLOY_OIDC_ISSUER',
  oidcAudience: 'PACKYARD_DEPLOY_OIDC_AUDIENCE',
  memorySize: 'PACKYARD_DEPLOY_MEMORY_SIZE',
  gc: 'PACKYARD_DEPLOY_GC',
  retention: 'PACKYARD_DEPLOY_RETENTION',
} as const;

type Key = keyof typeof SETTINGS;

export function appConfig(context: (key: string) => unknown, env: NodeJS.ProcessEnv): AppConfig {
  const raw = (key: Key): string | undefined => {
    const v = context(`packyard:${key}`) ?? env[SETTINGS[key]];
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const where = (key: Key) => `packyard:${key} (or ${SETTINGS[key]})`;
  const bool = (key: Key): boolean | undefined => {
    const v = raw(key);
    return v === undefined ? undefined : parseBoolean(where(key), v);
  };
  const int = (key: Key): number | undefined => {
    const v = raw(key);
    return v === undefined ? undefined : parseWholeNumber(where(key), v);
  };
  /** A registry setting (lambdas/registry/settings.ts): its own validation, under this key's name. */
  const registry = <K extends SettingKey & Key>(key: K) => {
    const v = raw(key);
    return v === undefined ? undefined : (REGISTRY_SETTINGS[key].parse(v, where(key)) as SettingValues[K]);
  };

  const lintPolicy = registry('lintPolicy');
  // A path names a file on this machine: its YAML is what the function gets.
  const lintSource = registry('lintConfig');
  const lintConfig =
    lintSource !== undefined && isLintConfigPath(lintSource) ? readFileSync(lintSource, 'utf8') : lintSource;

  const removal = raw('removalPolicy');
  if (removal !== undefined) parseChoice(where('removalPolicy'), removal, ['retain', 'destroy'] as const);

  const days = int('logRetentionDays');
  const retentions = Object.values(RetentionDays).filter((d): d is RetentionDays => typeof d === 'number');
  if (days !== undefined && !retentions.includes(days))
    throw new Error(`${where('logRetentionDays')} must be one of ${retentions.join(', ')} (got ${days})`);

  const domainName = raw('domainName');
  const certificateArn = raw('certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined))
    throw new Error(`${where('domainName')} and ${where('certificateArn')} go together`);
  const zoneId = raw('hostedZoneId');
  const zoneName = raw('hostedZoneName');
  if ((zoneId === undefined) !== (zoneName === undefined))
    throw new Error(`${where('hostedZoneId')} and ${where('hostedZoneName')} go together`);
  if (zoneId && !domainName) throw new Error(`${where('hostedZoneId')} needs ${where('domainName')}`);

  const rateLimit = int('throttleRate');
  const burstLimit = int('throttleBurst');
  const gcOn = bool('gc');
  const retentionText = raw('retention');
  const retention =
    retentionText === undefined ? undefined : parseRetention(retentionText, where('retention'));
  if (gcOn === false && retention)
    throw new Error(`${where('retention')} needs the GC job (${where('gc')} is false)`);
  const issuer = registry('oidcIssuer');
  const audience = registry('oidcAudience');

  return {
    stackName: raw('stackName') ?? 'Packyard',
    alarmTopicArn: raw('alarmTopicArn'),
    registry: {
      name: raw('name'),
      ...(domainName &&
        certificateArn && {
          domain: {
            name: domainName,
            certificateArn,
            ...(zoneId && zoneName && { hostedZone: { id: zoneId, name: zoneName } }),
          },
        }),
      ...((rateLimit !== undefined || burstLimit !== undefined) && {
        throttling: {
          ...(rateLimit !== undefined && { rateLimit }),
          ...(burstLimit !== undefined && { burstLimit }),
        },
      }),
      anonymousPull: registry('anonymousPull'),
      lintPolicy,
      allowOverwrite: registry('allowOverwrite'),
      tokenTtlSeconds: registry('tokenTtlSeconds'),
      lintConfig,
      loginFailuresPerUser: registry('loginFailuresPerUser'),
      loginFailuresPerSource: registry('loginFailuresPerSource'),
      loginFailureWindowSeconds: registry('loginFailureWindowSeconds'),
      ...((issuer || audience) && { trustedPublishing: { issuer, audience } }),
      logRetention: days,
      removalPolicy: removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      serverAccessLogs: bool('serverAccessLogs'),
      memorySize: int('memorySize'),
      ...(gcOn === false ? { gc: false as const } : retention ? { gc: { retention } } : {}),
    },
  };
}
