import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { cases as changeUninspectedCases, rule as changeUninspected } from './change-uninspected.ts';
import { cases as complianceChangeCases, rule as complianceChange } from './compliance-change.ts';
import { cases as configStoppedCases, rule as configStopped } from './config-stopped.ts';
import { cases as endpointPolicyLoosenedCases, rule as endpointPolicyLoosened } from './endpoint-policy-loosened.ts';
import { cases as endpointServiceOpenCases, rule as endpointServiceOpen } from './endpoint-service-open.ts';
import { cases as flowlogsDeletedCases, rule as flowlogsDeleted } from './flowlogs-deleted.ts';
import { cases as hybridLinkCases, rule as hybridLink } from './hybrid-link.ts';
import { cases as igwAttachCases, rule as igwAttach } from './igw-attach.ts';
import { cases as internetPathCases, rule as internetPath } from './internet-path.ts';
import { cases as lbInternetFacingCases, rule as lbInternetFacing } from './lb-internet-facing.ts';
import { cases as naclOpenCases, rule as naclOpen } from './nacl-open.ts';
import { cases as peeringCases, rule as peering } from './peering.ts';
import { cases as routeToIgwCases, rule as routeToIgw } from './route-to-igw.ts';
import { cases as routeToPeeringCases, rule as routeToPeering } from './route-to-peering.ts';
import { cases as routeToTransitGatewayCases, rule as routeToTransitGateway } from './route-to-transit-gateway.ts';
import { cases as sgOpenWorldCases, rule as sgOpenWorld } from './sg-open-world.ts';
import { cases as sgWidenedCases, rule as sgWidened } from './sg-widened.ts';
import { cases as subnetPublicIpCases, rule as subnetPublicIp } from './subnet-public-ip.ts';
import { cases as trailStoppedCases, rule as trailStopped } from './trail-stopped.ts';

/**
 * Every detection rule, listed explicitly: no directory scan, no side-effect registration, so the bundle holds
 * exactly these and a test proves every file in rules/ is here. Each rule file exports `rule`.
 */
export const RULES: readonly Rule[] = [
  sgOpenWorld,
  sgWidened,
  naclOpen,
  routeToIgw,
  routeToPeering,
  routeToTransitGateway,
  igwAttach,
  endpointPolicyLoosened,
  endpointServiceOpen,
  peering,
  flowlogsDeleted,
  trailStopped,
  configStopped,
  complianceChange,
  hybridLink,
  subnetPublicIp,
  lbInternetFacing,
  changeUninspected,
  internetPath,
];

/**
 * Each rule's own cases, by rule id (every file in rules/ exports `cases()` next to `rule`). Separate from
 * {@link RULES} so that nothing a Lambda function imports reaches them: esbuild drops the case builders and data
 * (pure: literal ids, no property reads; test/rules/registry.test.ts checks each id against its file).
 */
export const RULE_CASES: ReadonlyMap<string, () => RuleCase[]> = /* @__PURE__ */ new Map([
  ['change-uninspected', changeUninspectedCases],
  ['compliance-change', complianceChangeCases],
  ['config-stopped', configStoppedCases],
  ['endpoint-policy-loosened', endpointPolicyLoosenedCases],
  ['endpoint-service-open', endpointServiceOpenCases],
  ['flowlogs-deleted', flowlogsDeletedCases],
  ['hybrid-link', hybridLinkCases],
  ['igw-attach', igwAttachCases],
  ['internet-path', internetPathCases],
  ['lb-internet-facing', lbInternetFacingCases],
  ['nacl-open', naclOpenCases],
  ['peering', peeringCases],
  ['route-to-igw', routeToIgwCases],
  ['route-to-peering', routeToPeeringCases],
  ['route-to-transit-gateway', routeToTransitGatewayCases],
  ['sg-open-world', sgOpenWorldCases],
  ['sg-widened', sgWidenedCases],
  ['subnet-public-ip', subnetPublicIpCases],
  ['trail-stopped', trailStoppedCases],
]);
