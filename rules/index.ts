import type { Rule } from '../shared/model/rule.ts';
import { rule as changeUninspected } from './change-uninspected.ts';
import { rule as complianceChange } from './compliance-change.ts';
import { rule as configStopped } from './config-stopped.ts';
import { rule as endpointPolicyLoosened } from './endpoint-policy-loosened.ts';
import { rule as endpointServiceOpen } from './endpoint-service-open.ts';
import { rule as flowlogsDeleted } from './flowlogs-deleted.ts';
import { rule as hybridLink } from './hybrid-link.ts';
import { rule as igwAttach } from './igw-attach.ts';
import { rule as lbInternetFacing } from './lb-internet-facing.ts';
import { rule as naclOpen } from './nacl-open.ts';
import { rule as peering } from './peering.ts';
import { rule as routeToIgw } from './route-to-igw.ts';
import { rule as sgOpenWorld } from './sg-open-world.ts';
import { rule as sgWidened } from './sg-widened.ts';
import { rule as subnetPublicIp } from './subnet-public-ip.ts';
import { rule as trailStopped } from './trail-stopped.ts';

/**
 * Every detection rule, listed explicitly: no directory scan, no side-effect registration, so the bundle holds
 * exactly these and a test proves every file in rules/ is here. Each rule file exports `rule`.
 */
export const RULES: readonly Rule[] = [
  sgOpenWorld,
  sgWidened,
  naclOpen,
  routeToIgw,
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
];
