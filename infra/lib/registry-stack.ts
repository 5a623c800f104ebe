import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { AppConfig } from './app-config.ts';
import { PackRegistry } from './pack-registry.ts';

export interface RegistryStackProps extends StackProps {
  readonly config: AppConfig;
}

/**
 * One registry per stack. Environment-agnostic (no account or region, no lookups): `cdk synth`
 * runs offline, and `cdk deploy` targets whatever account and region the credentials name.
 */
export class RegistryStack extends Stack {
  readonly registry: PackRegistry;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, {
      description: 'Packyard: serverless OCI registry for Spectro Cloud Palette packs',
      ...props,
    });
    const { config } = props;
    const alarmTopic = config.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn)
      : undefined;
    this.registry = new PackRegistry(this, 'Registry', { ...config.registry, alarmTopic });
    const r = this.registry;

    new CfnOutput(this, 'RegistryUrl', {
      value: r.url,
      description: 'Base URL of the registry (OCI clients: the host; packyard push --registry <host>)',
    });
    new CfnOutput(this, 'PaletteEndpoint', {
      value: r.url,
      description: 'Palette: Tenant Settings > Registries > OCI Registries > Add: provider Pack, endpoint',
    });
    new CfnOutput(this, 'PaletteBaseContentPath', {
      // Packyard has no fixed base path: packs go to [<base>/]spectro-packs/archive/<name>, with
      // <base> whatever the publisher pushes to (packyard push --registry <host>/<base>).
      value: 'empty, unless packs are pushed to <host>/<base>: then <base>',
      description: 'Palette: base content path (packs live at [<base>/]spectro-packs/archive/<name>)',
    });
    new CfnOutput(this, 'BucketName', {
      value: r.storage.bucket.bucketName,
      description: 'S3 bucket of blobs',
    });
    new CfnOutput(this, 'TableName', {
      value: r.storage.table.tableName,
      description: 'DynamoDB table of the index and credentials',
    });
    new CfnOutput(this, 'FirstAdminCommand', {
      value: Fn.join('', [
        'npx packyard user add admin --scope admin --table ',
        r.storage.table.tableName,
        ' --region ',
        this.region,
      ]),
      description: 'Creates the first admin credential (prints its password once); run with AWS credentials',
    });
  }
}
