// tsx runs this project's .ts files as CommonJS, and @middy/* ships ES modules only (no "require"
// export condition). Node 24 can require() an ES module, so resolve @middy/* with the "import"
// condition too; everything else resolves as usual.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    return specifier.startsWith('@middy/')
      ? next(specifier, { ...context, conditions: [...context.conditions, 'import'] })
      : next(specifier, context);
  },
});
