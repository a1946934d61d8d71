import type { Approval, ApprovalSource } from './model.ts';

/** The config file's `approvals.static` list. */
export class StaticApprovals implements ApprovalSource {
  constructor(private readonly approvals: readonly Approval[]) {}
  async forAccount(account: string): Promise<Approval[]> {
    return this.approvals.filter((a) => !a.accounts || a.accounts.includes('*') || a.accounts.includes(account));
  }
}

/** Several sources read together (config + table). */
export class CombinedApprovals implements ApprovalSource {
  constructor(private readonly sources: readonly ApprovalSource[]) {}
  async forAccount(account: string): Promise<Approval[]> {
    return (await Promise.all(this.sources.map((s) => s.forAccount(account)))).flat();
  }
}

/**
 * A per-invocation cache: one lookup per account per Lambda invocation (a batch of 10 records about one account reads
 * the table once), fresh on the next invocation so a ticket written a minute ago is seen. Create one per invocation.
 */
export class InvocationApprovalCache implements ApprovalSource {
  private readonly byAccount = new Map<string, Promise<Approval[]>>();
  constructor(private readonly source: ApprovalSource) {}
  forAccount(account: string): Promise<Approval[]> {
    let pending = this.byAccount.get(account);
    if (!pending) {
      pending = this.source.forAccount(account);
      this.byAccount.set(account, pending);
      pending.catch(() => this.byAccount.delete(account));
    }
    return pending;
  }
}
