import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { DeployConfig } from '../config.ts';

/** The SNS message attribute the notifier sets and the bureau subscriptions filter on. */
export const UNIT_ATTRIBUTE = 'unit';

export interface NotificationsProps {
  readonly key: kms.IKey;
  readonly alertEmails: DeployConfig['alertEmails'];
  readonly opsEmails: DeployConfig['opsEmails'];
}

/**
 * Two KMS-encrypted, TLS-only topics:
 *  - alerts: what bureaus are told (budget thresholds, waitlists, reconciliation). One e-mail
 *    subscription per address, filtered on the `unit` message attribute, so a bureau only
 *    receives its own alerts. (An address listed under two units gets one subscription that
 *    allows both codes: SNS allows one subscription per endpoint and topic.)
 *  - operations: CloudWatch alarms for whoever runs the stack.
 */
export class Notifications extends Construct {
  readonly alertTopic: sns.Topic;
  readonly opsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);

    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'Bursar alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const [address, units] of unitsByAddress(props.alertEmails)) {
      this.alertTopic.addSubscription(
        new subscriptions.EmailSubscription(address, {
          filterPolicy: {
            [UNIT_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: units }),
          },
        }),
      );
    }

    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'Bursar operations alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const address of props.opsEmails) {
      this.opsTopic.addSubscription(new subscriptions.EmailSubscription(address));
    }
  }
}

/** address (as first written; compared case-insensitively) → the unit codes it receives. */
export function unitsByAddress(alertEmails: DeployConfig['alertEmails']): Map<string, string[]> {
  const spelling = new Map<string, string>();
  const byAddress = new Map<string, string[]>();
  for (const [unit, addresses] of Object.entries(alertEmails)) {
    for (const address of addresses ?? []) {
      const lower = address.toLowerCase();
      const first = spelling.get(lower) ?? address;
      spelling.set(lower, first);
      byAddress.set(first, [...(byAddress.get(first) ?? []), unit]);
    }
  }
  return byAddress;
}
