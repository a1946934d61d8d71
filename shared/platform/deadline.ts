/**
 * The current Lambda invocation's deadline, for work that must not outlive it. Built once per cold start and handed to
 * whatever waits (the HTTP sinks' retries); each invocation's handler calls {@link InvocationDeadline.begin} with
 * `context.getRemainingTimeInMillis()`. Outside Lambda (the CLI) it is never begun: no deadline.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/typescript-context.html (getRemainingTimeInMillis)
 */
export class InvocationDeadline {
  #endsAt: number | undefined;
  constructor(private readonly now: () => number = Date.now) {}

  /** An invocation starts with `remainingMs` left. */
  begin(remainingMs: number): void {
    this.#endsAt = this.now() + remainingMs;
  }

  /** Milliseconds left in the invocation, or `undefined` when none was begun. */
  remainingMs(): number | undefined {
    return this.#endsAt === undefined ? undefined : this.#endsAt - this.now();
  }
}
