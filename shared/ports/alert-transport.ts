// Transitional: the services still import from here while other branches edit them. The ports are
// alert-sender.ts and alert-publisher.ts; switch the services' imports and delete this file.
export type { AlertSender } from './alert-sender.ts';
export type { AlertPublisher, PublishRequest } from './alert-publisher.ts';
