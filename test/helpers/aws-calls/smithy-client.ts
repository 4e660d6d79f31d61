/**
 * What `@smithy/core/client` resolves to in the integration and end-to-end tests (jest.config.cjs,
 * moduleNameMapper): the real module, with the AWS call recorder attached to the `Client` class every SDK
 * client extends. Through the mapper, every module registry gets it, `jest.isolateModules`' too.
 */
import { join } from 'node:path';
import { recordAwsCalls } from './recorder';

// By file path: the module name itself is mapped here.
const actual = require(
  join(__dirname, '../../../node_modules/@smithy/core/dist-cjs/submodules/client/index.js'),
);

recordAwsCalls(() => process.env.AWS_CALLS_FILE, actual.Client);

module.exports = actual;
