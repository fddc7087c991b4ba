import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The metric the reconcile function publishes (Powertools, EMF): 1 = clean, 0 = differences found. */
export const RECONCILIATION_METRIC = { namespace: 'Bursar', metricName: 'ReconciliationClean' } as const;

export interface AlarmsProps {
  readonly topic: sns.ITopic;
  /** Every dead-letter queue, by a readable name. */
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  /** Every function, by a readable name. */
  readonly functions: Record<string, lambda.IFunction>;
  readonly intakeFunction: lambda.IFunction;
  readonly intakeQueue: sqs.IQueue;
  /** POWERTOOLS_SERVICE_NAME of the reconcile function: Powertools adds it as the `service` dimension. */
  readonly reconcileServiceName: string;
}

/** Alarms that page the operations topic (and tell it when they clear). */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}DeadLetters`, {
        alarmDescription: `A message reached the ${name} dead-letter queue. Inspect it, fix the cause, then redrive (see README).`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        alarmDescription: `The ${name} function returned errors (uncaught exceptions or timeouts).`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    this.add('ReconciliationNotClean', {
      alarmDescription:
        'Nightly reconciliation found differences between envelopes and awards (ReconciliationClean = 0). Read the stored report; repair with the CLI.',
      metric: new cloudwatch.Metric({
        ...RECONCILIATION_METRIC,
        dimensionsMap: { service: props.reconcileServiceName },
        period: Duration.hours(1),
        statistic: 'Minimum',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No datapoint means no run in that hour, not an unclean one; a failed run is the
      // reconcile errors alarm and the reconcile dead-letter queue alarm.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.add('IntakeThrottled', {
      alarmDescription: 'Lambda throttled the intake function (its reserved concurrency is exhausted).',
      metric: props.intakeFunction.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.add('IntakeBacklog', {
      alarmDescription: 'The oldest award on the intake queue has waited more than 15 minutes.',
      metric: props.intakeQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: Duration.minutes(15).toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private add(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
