import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An encrypted, TLS-only queue that keeps what could not be delivered for 14 days (the maximum). It is a
 * dead-letter queue itself, so it has none of its own: `of` names what it catches, for cdk-nag's record.
 */
export function deadLetterQueue(
  scope: Construct,
  id: string,
  key: kms.IKey,
  of: string,
  options: { readonly fifo?: boolean } = {},
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    // A FIFO queue's dead-letter queue must be FIFO too.
    ...(options.fifo ? { fifo: true } : {}),
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${of}.`,
  });
  return queue;
}
