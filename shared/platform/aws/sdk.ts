import { createRequire } from 'node:module';

/**
 * AWS SDK v3 modules, loaded on first use. Importing one client costs ≈ 300 ms at cold start and the functions reach
 * ten of them, most of which a given invocation never calls; so nothing in `shared/` imports an `@aws-sdk/*` value
 * statically: code calls `sdk.sns().PublishCommand` when it sends, and imports types only (`import type`).
 *
 * Why `createRequire` and not `import()`: the Lambda bundles leave `@aws-sdk/*` to the runtime (`exclude` in
 * serverless.yml), and esbuild hoists the external imports of every bundled module to the top of an ESM bundle, even
 * of a module reached only through `import()`. A call on a local `load` is opaque to esbuild, so it stays a call, and
 * CommonJS resolution finds the runtime's SDK through `NODE_PATH` in Lambda (/var/runtime/node_modules) and
 * `node_modules` locally (the SDK packages' `main` is their CommonJS build, which is also what an ESM `import` of
 * them resolves to, so tests that import a client class get the same module). `require` caches each module.
 * `test/perf/lazy-sdk.test.ts` checks a built bundle for top-level `@aws-sdk` imports.
 */
const load = createRequire(import.meta.url);

export const sdk = {
  cloudTrail: () => load('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail'),
  cloudWatchLogs: () => load('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs'),
  configService: () => load('@aws-sdk/client-config-service') as typeof import('@aws-sdk/client-config-service'),
  dynamodb: () => load('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb'),
  dynamodbDocument: () => load('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb'),
  ec2: () => load('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2'),
  eventBridge: () => load('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge'),
  s3: () => load('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'),
  secretsManager: () => load('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager'),
  securityHub: () => load('@aws-sdk/client-securityhub') as typeof import('@aws-sdk/client-securityhub'),
  sns: () => load('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns'),
  sqs: () => load('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs'),
  ssm: () => load('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm'),
};

/**
 * Powertools Parameters, loaded on first use. Unlike the SDK it is not in the runtime, so it must be bundled; but its
 * modules import `@aws-sdk/client-ssm` / `client-secrets-manager` at their top, which an ESM import would hoist into
 * the bundle's top-level imports. A literal `require('…')` is what esbuild bundles as a lazily initialised CommonJS
 * module (the package's `lib/cjs` build, whose `require("@aws-sdk/…")` stays a call run on first use); the bundle's
 * banner defines `require`. Without a `require` (tsx, vitest: ESM) the same CommonJS build comes through `load`.
 */
export const powertools = {
  ssm: (): typeof import('@aws-lambda-powertools/parameters/ssm') =>
    typeof require === 'function'
      ? require('@aws-lambda-powertools/parameters/ssm')
      : load('@aws-lambda-powertools/parameters/ssm'),
  secrets: (): typeof import('@aws-lambda-powertools/parameters/secrets') =>
    typeof require === 'function'
      ? require('@aws-lambda-powertools/parameters/secrets')
      : load('@aws-lambda-powertools/parameters/secrets'),
};
