import { describe, expect, it } from 'vitest';
import {
  change,
  ec2,
  endpointServiceChange,
  FOREIGN_ACCOUNT,
  hybrid,
  igwAttach,
  ORG_ACCOUNT,
  peeringChange,
  peeringDelta,
  REGION,
  servicePermission,
} from '../../rules/cases/build.ts';
import { rule as endpointServiceOpen } from '../../rules/endpoint-service-open.ts';
import { rule as hybridLink } from '../../rules/hybrid-link.ts';
import { rule as igwAttachRule } from '../../rules/igw-attach.ts';
import { rule as peering } from '../../rules/peering.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../../shared/model/rule.ts';
import { maxSeverity } from '../../shared/model/severity.ts';

/** Rules that read RuleContext: internal-only VPCs and the organisation's accounts. */
const INTERNAL_VPC = 'vpc-0c0ffee0c0ffee012';
const CONTEXT: RuleContext = { internalVpcIds: new Set([INTERNAL_VPC]), knownAccounts: new Set([ORG_ACCOUNT]) };

describe('rules that use context', () => {
  it('igw-attach: an internal-only VPC makes it critical and says why', () => {
    const c = change(
      { type: 'AWS::EC2::InternetGateway', id: 'igw-0d7c5b3a19e8f2046' },
      [igwAttach('added', INTERNAL_VPC)],
      { api: ec2('AttachInternetGateway') },
    );
    const [f] = igwAttachRule.classify(c, CONTEXT);
    expect(f!.severity).toBe('critical');
    expect(f!.why.join(' ')).toMatch(/internal-only/);
    expect(igwAttachRule.classify(c, EMPTY_CONTEXT)[0]!.severity).toBe('high');
  });

  it('igw-attach: falls back to the resource VPC when the delta has none', () => {
    const c = change({ type: 'AWS::EC2::InternetGateway', id: 'igw-0d7c5b3a19e8f2046', vpcId: INTERNAL_VPC }, [
      { kind: 'gateway-attachment', op: 'added', gateway: { kind: 'internet-gateway', id: 'igw-0d7c5b3a19e8f2046' } },
    ]);
    expect(igwAttachRule.classify(c, CONTEXT)[0]!.severity).toBe('critical');
  });

  it('peering: an org account is medium, a foreign one high', () => {
    const org = peeringChange([
      peeringDelta('changed', 'accepted', { vpcId: 'vpc-09f8e7d6c5b4a3921', account: ORG_ACCOUNT, region: REGION }),
    ]);
    const foreign = peeringChange([
      peeringDelta('changed', 'accepted', { vpcId: 'vpc-09f8e7d6c5b4a3921', account: FOREIGN_ACCOUNT, region: REGION }),
    ]);
    const [o] = peering.classify(org, CONTEXT);
    expect(o!.severity).toBe('medium');
    expect(o!.summary).toMatch(/cross-account/);
    expect(peering.classify(foreign, CONTEXT)[0]!.severity).toBe('high');
  });

  it('endpoint-service-open: a known account is info, a foreign one medium', () => {
    const known = endpointServiceChange([servicePermission('added', `arn:aws:iam::${ORG_ACCOUNT}:root`)]);
    const foreign = endpointServiceChange([servicePermission('added', FOREIGN_ACCOUNT)]);
    expect(endpointServiceOpen.classify(known, CONTEXT)[0]!.severity).toBe('info');
    expect(endpointServiceOpen.classify(foreign, CONTEXT)[0]!.severity).toBe('medium');
  });

  it('hybrid-link: a foreign peer account is named but stays medium', () => {
    const c = change({ type: 'AWS::EC2::TransitGatewayAttachment', id: 'tgw-attach-0b1c2d3e4f5a69788' }, [
      hybrid('added', 'transit-gateway-peering', { peerAccount: FOREIGN_ACCOUNT }),
    ]);
    const findings = hybridLink.classify(c, CONTEXT);
    expect(maxSeverity(...findings.map((f) => f.severity))).toBe('medium');
    expect(findings[0]!.why.join(' ')).toMatch(new RegExp(`${FOREIGN_ACCOUNT} is not in context.knownAccounts`));
  });
});
