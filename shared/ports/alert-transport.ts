import type { UnitCode } from '../domain/units.ts';

/** Hands alerts to the notifier (in AWS: the alert SQS queue). */
export interface AlertSender {
  send(alertIds: readonly string[]): Promise<void>;
}

export interface PublishRequest {
  unit: UnitCode;
  alert_id: string;
  kind: string;
  subject: string;
  message: string;
}

/** Publishes one alert to one unit (in AWS: the alert SNS topic, with a `unit` message attribute). */
export interface AlertPublisher {
  /** Returns the transport's message id. */
  publish(request: PublishRequest): Promise<string>;
}
