/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Environment-agnostic on purpose: synth needs no
 * AWS credentials; `cdk deploy` targets the account and region of the credentials in use.
 */
import { App } from 'aws-cdk-lib';
import { buildBursarApp } from './build-app.ts';

buildBursarApp(new App());
