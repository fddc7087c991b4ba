/** Hands alerts to the notifier (in AWS: the alert SQS queue). */
export interface AlertSender {
  send(alertIds: readonly string[]): Promise<void>;
}
