import * as z from 'zod';
import type { ResourceFacts } from '../../model/change.ts';
import { ciObject, optionalString } from './field-case.ts';

/**
 * Facts a Config item's `relationships` tell about the resource's surroundings, for context-aware severity
 * (shared/4-classify/adjust.ts). Today: the network interfaces a security group is associated with — a world-open group
 * attached to nothing exposes nothing yet.
 *
 * Notifications spell the relationship's label `name` ("Is associated with NetworkInterface"); the
 * GetResourceConfigHistory API spells it `relationshipName`. Only `resourceType` and `resourceId` are read, so both work.
 * A missing `relationships` field means *unknown* (no facts), never "attached to nothing".
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_Relationship.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html (relationships per type)
 */
const Relationships = z.lazy(() => z.array(ciObject({ resourceType: optionalString, resourceId: optionalString })));

const NETWORK_INTERFACE = 'AWS::EC2::NetworkInterface';

/** Facts for one item of `resourceType`, or `undefined` when its relationships say nothing we use. */
export function factsOf(resourceType: string, relationships: unknown): ResourceFacts | undefined {
  if (resourceType !== 'AWS::EC2::SecurityGroup') return undefined;
  const parsed = Relationships.safeParse(relationships);
  if (!parsed.success) return undefined;
  const enis = parsed.data.flatMap((r) =>
    r.resourceType === NETWORK_INTERFACE && r.resourceId !== undefined ? [r.resourceId] : [],
  );
  return { networkInterfaces: [...new Set(enis)] };
}
