import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { BursarStack } from './bursar-stack.ts';
import { readDeployConfig } from './config.ts';

export const STACK_NAME = 'Bursar';

/**
 * Adds the Bursar stack and the cdk-nag packs (AwsSolutions, NIST 800-53 rev 5) to an app. Shared
 * by `infra/app.ts` (cdk synth/deploy), the infra tests and the bundle report, so all three build
 * exactly the same tree with the same checks.
 */
export function buildBursarApp(app: App): BursarStack {
  const stack = new BursarStack(app, STACK_NAME, readDeployConfig(app.node));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  return stack;
}
