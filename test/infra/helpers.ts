import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AppConfig } from '../../infra/lib/app-config.ts';
import { RegistryStack } from '../../infra/lib/registry-stack.ts';

/**
 * The registry stack as `infra/bin/app.ts` builds it, without running esbuild: the construct
 * tests look at the template, and bundling is covered once by the synth test. The template is
 * made on first access, because synthesizing freezes the app (later validation plugins would
 * never run).
 */
export function registryStack(
  registry: AppConfig['registry'] = {},
  extra: Partial<AppConfig> = {},
): { app: App; stack: RegistryStack; template: Template } {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    // CDK's own CloudFormation schema check takes seconds per synth; the synth test runs it once.
    builtinCloudFormationValidation: false,
  });
  const stack = new RegistryStack(app, 'Test', { config: { stackName: 'Test', registry, ...extra } });
  let template: Template | undefined;
  return {
    app,
    stack,
    get template() {
      template ??= Template.fromStack(stack);
      return template;
    },
  };
}

/** Synthesized CloudFormation: JSON whose shape depends on the resource type. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON is untyped; the assertions check its shape
export type Json = any;

/** The single resource of a type, by its properties (fails when there is not exactly one). */
export function only(template: Template, type: string): { logicalId: string; resource: Json } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0] as [string, Json];
  return { logicalId, resource };
}

/** One resource of a type whose Description contains `text` (the stack has two functions and roles). */
export function described(
  template: Template,
  type: string,
  text: string,
): { logicalId: string; resource: Json } {
  const found = Object.entries(template.findResources(type)).filter(([, r]) =>
    String((r as Json).Properties?.Description ?? '').includes(text),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} described "${text}", found ${found.length}`);
  const [logicalId, resource] = found[0] as [string, Json];
  return { logicalId, resource };
}

export const registryFunction = (t: Template) =>
  described(t, 'AWS::Lambda::Function', 'OCI pack registry (API Gateway');
export const registryRole = (t: Template) => described(t, 'AWS::IAM::Role', 'the registry function');
