import * as z from 'zod';

/**
 * Side-effect module, imported first by every Lambda handler: turn off zod's JIT before any schema is built.
 *
 * Zod 4 compiles a fast parser for each object schema (`new Function`) the first time the schema parses. That pays
 * off over millions of parses (the CLI and `netwatch backtest` keep it), but a Lambda cold start parses its config
 * and a handful of records once each, and compiling those parsers costs more than it saves: `npm run bench`
 * measured the jitless bundles' cold import tens of milliseconds faster (docs/performance.md). Zod reads the flag
 * when a schema is constructed, so this must run before the modules that define schemas: ES modules evaluate their
 * imports in order, and the handlers import this module first.
 * @see https://zod.dev/api — `z.config({ jitless })`
 */
z.config({ jitless: true });
