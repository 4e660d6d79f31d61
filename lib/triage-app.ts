import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config';
import { TriageStack } from './triage-stack';

export const STACK_NAME = 'FireworksErrorTriage';

/**
 * Build the app: validated config from context, the stack, and the AwsSolutions checks that make every
 * synth fail on an unacknowledged finding. Shared by bin/app.ts and the tests.
 */
export function buildApp(app: App): TriageStack {
  const config = configFromContext(app);
  const stack = new TriageStack(app, STACK_NAME, {
    config,
    description:
      'Fireworks error triage: classify Fireworks API errors and notify support and billing owners',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
