/**
 * Cold-start composition without top-level `await`. The dependencies (config, sinks, secrets) start building as soon
 * as the module loads — during Lambda's init phase, as top-level await would — and every invocation awaits the same
 * promise, so a bad config still fails the very first invocation loudly.
 *
 * Why not top-level await: a module graph with top-level await cannot be `require()`d. Node ≥ 20.19 `require()`s ESM,
 * so `serverless invoke local` (which loads handlers with `require` first) fails with ERR_REQUIRE_ASYNC_MODULE.
 * @see https://nodejs.org/api/modules.html#loading-ecmascript-modules-using-require
 */
export function initOnce<A extends unknown[], R>(build: () => Promise<(...args: A) => Promise<R>>): (...args: A) => Promise<R> {
  const ready = build();
  // Keep an init failure from surfacing as an unhandled rejection before the first invocation awaits it.
  ready.catch(() => undefined);
  return async (...args: A) => (await ready)(...args);
}
