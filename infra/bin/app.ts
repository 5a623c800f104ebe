// The CDK app: one Packyard registry stack, configured by context or environment
// (infra/lib/app-config.ts), checked by cdk-nag's AWS Solutions rules at every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { appConfig } from '../lib/app-config.ts';
import { RegistryStack } from '../lib/registry-stack.ts';

const app = new App();
const config = appConfig((key) => app.node.tryGetContext(key), process.env);
new RegistryStack(app, config.stackName, { config });
// A finding that is neither fixed nor acknowledged (with a reason) fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
