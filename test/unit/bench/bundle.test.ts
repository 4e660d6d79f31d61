import { externalImports } from '../../../bench/parts/bundle';

const ARGS = ['--bundle', 'functions/triage/handler.ts', '--minify', '--external:@aws-sdk/*', '--format=esm'];

describe('bench bundle externalImports', () => {
  it('lists the external packages a minified ESM bundle imports, once each, sorted', () => {
    const bundle =
      'import{createRequire as a}from"node:module";import{SNSClient as b}from"@aws-sdk/client-sns";' +
      'import{DynamoDBClient as c}from"@aws-sdk/client-dynamodb";import{X as d}from"@aws-sdk/client-sns";' +
      'import{DynamoDBDocumentClient as e}from "@aws-sdk/lib-dynamodb";';
    expect(externalImports(bundle, ARGS)).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-sns',
      '@aws-sdk/lib-dynamodb',
    ]);
  });

  it('finds side-effect and dynamic imports of externals too', () => {
    const bundle = 'import"@aws-sdk/client-sqs";const m=await import("@aws-sdk/lib-dynamodb");';
    expect(externalImports(bundle, ARGS)).toEqual(['@aws-sdk/client-sqs', '@aws-sdk/lib-dynamodb']);
  });

  it('ignores built-ins, bundled packages and packages that only look like an external pattern', () => {
    const bundle =
      'import{randomInt as a}from"node:crypto";import b from"@middy/core";import c from"@aws-sdkx/client";' +
      'const s="from @aws-sdk/client-sns";';
    expect(externalImports(bundle, ARGS)).toEqual([]);
  });

  it('finds nothing without an --external option', () => {
    expect(externalImports('import{a}from"@aws-sdk/client-sns";', ['--bundle', 'x.ts'])).toEqual([]);
  });

  it('matches exact external names as well as wildcards', () => {
    const bundle = 'import{a}from"pg";import{b}from"pg-native";';
    expect(externalImports(bundle, ['--external:pg'])).toEqual(['pg']);
  });
});
