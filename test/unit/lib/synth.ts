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

/** Chat channels for stack tests: a Slack channel on the default topics, a Teams channel on account issues. */
export const SLACK_ONCALL = { name: 'oncall', slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' };
export const TEAMS_BILLING = {
  name: 'billing',
  teamId: '6f2b0c1e-0000-4000-8000-00000000abcd',
  teamsChannelId: '19%3ab2c3d4%40thread.tacv2',
  teamsTenantId: '1d2c3b4a-0000-4000-8000-00000000abcd',
  topics: ['account'],
};

/**
 * Config that switches on every function the stack can have (the PagerDuty forwarder and the chat relay are
 * optional) and every grant (the scope lane's), so the iam check and the bundle test cover each; the rest is
 * the defaults.
 */
export const EVERY_FUNCTION = {
  scopeLane: { enabled: true },
  pagerDuty: { secretName: 'triage/pagerduty' },
  chat: {
    slack: [
      {
        name: 'pager',
        slackWorkspaceId: 'T0123ABCD',
        slackChannelId: 'C0123ABCD',
        filterPolicy: { severity: ['critical'] },
      },
    ],
  },
};
