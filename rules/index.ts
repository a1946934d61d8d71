import type { Rule, RuleCase } from '../shared/model/rule.ts';
import {
  cases as changeUninspectedCases,
  rule as changeUninspected,
  whatToCheck as changeUninspectedCheck,
} from './change-uninspected.ts';
import {
  cases as complianceChangeCases,
  rule as complianceChange,
  whatToCheck as complianceChangeCheck,
} from './compliance-change.ts';
import {
  cases as configStoppedCases,
  rule as configStopped,
  whatToCheck as configStoppedCheck,
} from './config-stopped.ts';
import {
  cases as endpointPolicyLoosenedCases,
  rule as endpointPolicyLoosened,
  whatToCheck as endpointPolicyLoosenedCheck,
} from './endpoint-policy-loosened.ts';
import {
  cases as endpointServiceOpenCases,
  rule as endpointServiceOpen,
  whatToCheck as endpointServiceOpenCheck,
} from './endpoint-service-open.ts';
import {
  cases as flowlogsDeletedCases,
  rule as flowlogsDeleted,
  whatToCheck as flowlogsDeletedCheck,
} from './flowlogs-deleted.ts';
import { cases as hybridLinkCases, rule as hybridLink, whatToCheck as hybridLinkCheck } from './hybrid-link.ts';
import { cases as igwAttachCases, rule as igwAttach, whatToCheck as igwAttachCheck } from './igw-attach.ts';
import { cases as internetPathCases, rule as internetPath, whatToCheck as internetPathCheck } from './internet-path.ts';
import {
  cases as lbInternetFacingCases,
  rule as lbInternetFacing,
  whatToCheck as lbInternetFacingCheck,
} from './lb-internet-facing.ts';
import { cases as naclOpenCases, rule as naclOpen, whatToCheck as naclOpenCheck } from './nacl-open.ts';
import { cases as peeringCases, rule as peering, whatToCheck as peeringCheck } from './peering.ts';
import { cases as routeToIgwCases, rule as routeToIgw, whatToCheck as routeToIgwCheck } from './route-to-igw.ts';
import {
  cases as routeToPeeringCases,
  rule as routeToPeering,
  whatToCheck as routeToPeeringCheck,
} from './route-to-peering.ts';
import {
  cases as routeToTransitGatewayCases,
  rule as routeToTransitGateway,
  whatToCheck as routeToTransitGatewayCheck,
} from './route-to-transit-gateway.ts';
import { cases as sgOpenWorldCases, rule as sgOpenWorld, whatToCheck as sgOpenWorldCheck } from './sg-open-world.ts';
import { cases as sgWidenedCases, rule as sgWidened, whatToCheck as sgWidenedCheck } from './sg-widened.ts';
import {
  cases as subnetPublicIpCases,
  rule as subnetPublicIp,
  whatToCheck as subnetPublicIpCheck,
} from './subnet-public-ip.ts';
import { cases as trailStoppedCases, rule as trailStopped, whatToCheck as trailStoppedCheck } from './trail-stopped.ts';

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

/**
 * Each rule's runbook text (`whatToCheck`), by rule id, apart from {@link RULES} like the cases: the digest and
 * traffic-evidence functions show it on their pages but run no rule, and this map (pure: literal ids and string
 * constants) lets their bundles leave the classifiers out (test/rules/registry.test.ts checks it against each rule).
 */
export const RUNBOOKS: ReadonlyMap<string, string> = /* @__PURE__ */ new Map([
  ['change-uninspected', changeUninspectedCheck],
  ['compliance-change', complianceChangeCheck],
  ['config-stopped', configStoppedCheck],
  ['endpoint-policy-loosened', endpointPolicyLoosenedCheck],
  ['endpoint-service-open', endpointServiceOpenCheck],
  ['flowlogs-deleted', flowlogsDeletedCheck],
  ['hybrid-link', hybridLinkCheck],
  ['igw-attach', igwAttachCheck],
  ['internet-path', internetPathCheck],
  ['lb-internet-facing', lbInternetFacingCheck],
  ['nacl-open', naclOpenCheck],
  ['peering', peeringCheck],
  ['route-to-igw', routeToIgwCheck],
  ['route-to-peering', routeToPeeringCheck],
  ['route-to-transit-gateway', routeToTransitGatewayCheck],
  ['sg-open-world', sgOpenWorldCheck],
  ['sg-widened', sgWidenedCheck],
  ['subnet-public-ip', subnetPublicIpCheck],
  ['trail-stopped', trailStoppedCheck],
]);
