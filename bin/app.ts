#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../functions/core/errors';
import { buildApp } from '../lib/triage-app';

const app = new App();
try {
  buildApp(app);
} catch (error) {
  // A config mistake is the user's to fix: show which key and why, not a stack trace.
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
