import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * One change seen by both sources gives one fingerprint (delivery dedup relies on it), beyond security groups
 * (test/4-classify/fingerprint.test.ts): NACL entry, route, IGW attach, endpoint policy. Each case takes a Config sample
 * and the CloudTrail record of the same change: the CloudTrail sample of that API with the request parameters and
 * event id the Config item names (its `relatedEvents`).
 */
const sample = (path: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'events', path), 'utf8')) as Record<string, unknown>;
const classify = (value: unknown) => classifyValue(value, { file: 'test' }, { rules: RULES, context: EMPTY_CONTEXT });

function sameChange(
  trailPath: string,
  configPath: string,
  requestParameters: Record<string, unknown>,
): { trail: Record<string, unknown>; config: Record<string, unknown> } {
  const config = sample(configPath);
  const related = (config['configurationItem'] as { relatedEvents: string[] }).relatedEvents[0];
  const trail = sample(trailPath);
  trail['requestParameters'] = { ...(trail['requestParameters'] as object), ...requestParameters };
  trail['eventID'] = related;
  return { trail, config };
}

const CASES: Array<{
  name: string;
  category: string;
  trail: string;
  config: string;
  request: Record<string, unknown>;
}> = [
  {
    name: 'NACL entry (CreateNetworkAclEntry)',
    category: 'nacl-open',
    trail: 'cloudtrail/create-nacl-entry-ingress-world-allow.json',
    config: 'config/nacl-entry-allow-world.json',
    request: { networkAclId: 'acl-0b7c6d5e4f3a21098', ruleNumber: 110, portRange: { from: 22, to: 22 } },
  },
  {
    name: 'route (CreateRoute 0.0.0.0/0 -> igw)',
    category: 'route-to-igw',
    trail: 'cloudtrail/create-route-default-to-igw.json',
    config: 'config/route-table-default-to-igw.json',
    request: { routeTableId: 'rtb-0d9c8b7a6f5e43210', gatewayId: 'igw-0e1f2a3b4c5d6e7f8' },
  },
  {
    name: 'IGW attach (AttachInternetGateway)',
    category: 'igw-attach',
    trail: 'cloudtrail/attach-igw.json',
    config: 'config/igw-attached.json',
    request: { internetGatewayId: 'igw-0e1f2a3b4c5d6e7f8', vpcId: 'vpc-0f1e2d3c4b5a69788' },
  },
  {
    name: 'endpoint policy (ModifyVpcEndpoint PolicyDocument)',
    category: 'endpoint-policy-loosened',
    trail: 'cloudtrail/modify-vpc-endpoint-policy-wildcard.json',
    config: 'config/vpc-endpoint-policy-wildcard.json',
    request: { vpcEndpointId: 'vpce-0a1b2c3d4e5f6a7b8' },
  },
];

describe('one change, one fingerprint, across sources', () => {
  for (const c of CASES) {
    it(c.name, () => {
      // Prepare
      const { trail, config } = sameChange(c.trail, c.config, c.request);
      // Act
      const viaTrail = classify(trail).findings.filter((f) => f.category === c.category);
      const viaConfig = classify(config).findings.filter((f) => f.category === c.category);
      // Assess
      expect(viaTrail).toHaveLength(1);
      expect(viaConfig).toHaveLength(1);
      expect(viaConfig[0]!.resource.id).toBe(viaTrail[0]!.resource.id);
      expect(viaConfig[0]!.fingerprint).toBe(viaTrail[0]!.fingerprint);
      expect(viaConfig[0]!.related).toContain(trail['eventID']);
    });
  }
});
