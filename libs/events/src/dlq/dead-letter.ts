import type { Publisher } from '../publisher/publisher.js';
import { dlqSubject } from '../subjects/subjects.js';

/** Headers a dead-lettered message carries, beside its original headers. */
export const DlqHeader = {
  Reason: 'Dlq-Reason',
  Error: 'Dlq-Error',
  ErrorCode: 'Dlq-Error-Code',
  OriginalSubject: 'Dlq-Original-Subject',
  OriginalStream: 'Dlq-Original-Stream',
  StreamSequence: 'Dlq-Stream-Sequence',
  Consumer: 'Dlq-Consumer',
  DeliveryCount: 'Dlq-Delivery-Count',
  FailedAt: 'Dlq-Failed-At',
} as const;

/** Header a redriven message carries: the DLQ stream sequence it came from. */
export const REDRIVEN_FROM_HEADER = 'Redriven-From';

/**
 * Header a redriven message carries: the durable it is redriven to (the one that dead-lettered
 * it). Every consumer of the original subject receives the message again; only this one treats
 * it as redriven, the others judge it as any old event (a duplicate, or stale).
 */
export const REDRIVE_CONSUMER_HEADER = 'Redrive-Consumer';

/** Why a message was dead-lettered (the `reason` label of `events_dead_lettered_total`). */
export const DeadLetterReason = {
  MalformedEnvelope: 'malformed_envelope',
  UnknownType: 'unknown_type',
  UnsupportedVersion: 'unsupported_version',
  InvalidPayload: 'invalid_payload',
  PermanentError: 'permanent_error',
  RetriesExhausted: 'retries_exhausted',
  /** Delivered more often than the handler may run: the handler crashed the process each time. */
  MaxDeliveries: 'max_deliveries',
  SequenceGap: 'sequence_gap',
  /**
   * The envelope's tenant, producing domain or event name disagree with the subject it arrived
   * on: the server's subject permissions decide who may say what, so such a body is not believed.
   */
  SubjectMismatch: 'subject_mismatch',
} as const;
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

export interface FailedMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly stream: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
}

export interface DeadLetterDetails {
  readonly consumer: string;
  readonly reason: DeadLetterReason;
  readonly error?: unknown;
}

const MAX_ERROR_HEADER = 1024;

/**
 * Copies a failed message to the DLQ stream (`dlq.<consumer>.<original subject>`), payload and
 * headers untouched, with the reason headers. The message id `dlq:<stream>:<seq>:<consumer>`
 * makes a repeated dead-lettering of the same delivery (a crash in between) a no-op.
 */
export class DeadLetterPublisher {
  constructor(private readonly publisher: Publisher) {}

  async deadLetter(message: FailedMessage, details: DeadLetterDetails): Promise<void> {
    const error = details.error;
    const errorText = error instanceof Error ? `${error.name}: ${error.message}` : error === undefined ? '' : JSON.stringify(error);
    const code = (error as { code?: unknown } | undefined)?.code;
    const headers: Record<string, string> = {
      ...message.headers,
      [DlqHeader.Reason]: details.reason,
      [DlqHeader.OriginalSubject]: message.subject,
      [DlqHeader.OriginalStream]: message.stream,
      [DlqHeader.StreamSequence]: String(message.streamSequence),
      [DlqHeader.Consumer]: details.consumer,
      [DlqHeader.DeliveryCount]: String(message.deliveryCount),
      [DlqHeader.FailedAt]: new Date().toISOString(),
    };
    delete headers['Nats-Msg-Id'];
    if (errorText) headers[DlqHeader.Error] = errorText.replace(/[\r\n]+/g, ' ').slice(0, MAX_ERROR_HEADER);
    if (typeof code === 'string') headers[DlqHeader.ErrorCode] = code;
    await this.publisher.publish(dlqSubject(details.consumer, message.subject), message.data, {
      msgId: `dlq:${message.stream}:${message.streamSequence}:${details.consumer}`,
      headers,
    });
  }
}
