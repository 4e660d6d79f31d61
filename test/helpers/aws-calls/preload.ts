/**
 * `node --import` this in a child process (the local stack of the end-to-end tests) to record its handlers'
 * AWS calls beside its test file's, into `AWS_CALLS_FILE` with the child's pid added.
 */
import { recordAwsCalls } from './recorder';

const file = process.env.AWS_CALLS_FILE;
if (file) {
  const own = file.replace(/\.jsonl$/, `.${process.pid}.jsonl`);
  recordAwsCalls(() => own, require('@smithy/core/client').Client);
}
