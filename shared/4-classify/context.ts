import * as z from 'zod';
import type { RuleContext } from '../model/rule.ts';

/**
 * Estate context: facts about the estate that rules and the severity step use. One schema for the `context:` section
 * of the config file (Lambda and `--config`) and for a standalone `--context FILE` (JSON) on the CLI. Validated with zod; unknown keys are an
 * error, so a typo (`automationRole`) is reported instead of silently ignored.
 *
 * ```json
 * {
 *   "internalVpcIds": ["vpc-0c0ffee0c0ffee012"],
 *   "internalVpcTag": { "key": "netwatch:exposure", "value": "internal" },
 *   "knownAccounts": ["444455556666"],
 *   "networkConfigRules": ["acme-sg-*"],
 *   "automationRoles": ["arn:aws:iam::*:role/ci-deployer"],
 *   "adjust": { "rootActor": true, "longTermKeys": true, "sgAttachments": true }
 * }
 * ```
 */
export const ContextFileSchema = z.strictObject({
  internalVpcIds: z.array(z.string().regex(/^vpc-[0-9a-f]+$/, 'a VPC id (vpc-…)')).default([]),
  internalVpcTag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }).optional(),
  knownAccounts: z.array(z.string().regex(/^\d{12}$/, 'a 12-digit account id')).default([]),
  networkConfigRules: z.array(z.string().min(1)).optional(),
  automationRoles: z.array(z.string().min(1)).optional(),
  adjust: z
    .strictObject({
      rootActor: z.boolean().optional(),
      longTermKeys: z.boolean().optional(),
      sgAttachments: z.boolean().optional(),
    })
    .optional(),
});

/** The validated context (the `context:` section of the config file, or a `--context` file). */
export type ContextFile = z.output<typeof ContextFileSchema>;

/** Parse a context file's JSON value into a {@link RuleContext}. @throws Error naming the first bad field */
export function parseContext(value: unknown): RuleContext {
  const parsed = ContextFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`context: ${(issue?.path ?? []).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return toRuleContext(parsed.data);
}

/** The {@link RuleContext} rules receive, from a validated context. */
export function toRuleContext(c: ContextFile): RuleContext {
  const context: RuleContext = { internalVpcIds: new Set(c.internalVpcIds), knownAccounts: new Set(c.knownAccounts) };
  if (c.internalVpcTag) context.internalVpcTag = c.internalVpcTag;
  if (c.networkConfigRules) context.networkConfigRules = c.networkConfigRules;
  if (c.automationRoles) context.automationRoles = c.automationRoles;
  if (c.adjust) {
    const adjust: NonNullable<RuleContext['adjust']> = {};
    if (c.adjust.rootActor !== undefined) adjust.rootActor = c.adjust.rootActor;
    if (c.adjust.longTermKeys !== undefined) adjust.longTermKeys = c.adjust.longTermKeys;
    if (c.adjust.sgAttachments !== undefined) adjust.sgAttachments = c.adjust.sgAttachments;
    context.adjust = adjust;
  }
  return context;
}
