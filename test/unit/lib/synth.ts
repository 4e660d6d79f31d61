import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import cdkJson from '../../../cdk.json';
import { buildApp } from '../../../lib/triage-app';
import type { TriageStack } from '../../../lib/triage-stack';

/**
 * The app as `cdk synth` builds it (cdk.json context, feature flags, cdk-nag plugin) plus `overrides`;
 * esbuild bundling is skipped unless asked for.
 */
export function buildTestApp(
  overrides: Record<string, unknown> = {},
  options: { readonly bundle?: boolean } = {},
): { readonly app: App; readonly stack: TriageStack } {
  const app = new App({
    context: {
      ...cdkJson.context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...overrides,
    },
  });
  return { app, stack: buildApp(app) };
}

/** Synthesizes (running the cdk-nag checks, which throw on any unacknowledged finding) and returns the template. */
export function synthTemplate(overrides: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildTestApp(overrides).stack as Stack);
}

export type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
