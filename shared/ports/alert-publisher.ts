import type { UnitCode } from '../domain/units.ts';

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
