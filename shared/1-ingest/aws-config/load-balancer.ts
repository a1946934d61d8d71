import * as z from 'zod';
import type { LoadBalancerDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { ciObject, optionalString } from './field-case.ts';

/**
 * `AWS::ElasticLoadBalancingV2::LoadBalancer` (`scheme`, `type` application|network|gateway) and
 * `AWS::ElasticLoadBalancing::LoadBalancer` (classic, `scheme` only) → {@link LoadBalancerDelta}: `added` when
 * discovered, `changed` when the scheme moved, `removed` when deleted. Other updates (tags, attributes, subnets)
 * give nothing. A scheme cannot be changed in place today, but a recreated balancer under the same id can show it.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancer.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html
 */
const Scheme = z.lazy(() =>
  z
    .string()
    .nullish()
    .transform((v): LoadBalancerDelta['scheme'] | undefined =>
      v === 'internet-facing' || v === 'internal' ? v : undefined,
    ),
);
const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      loadBalancerName: optionalString,
      loadBalancerArn: optionalString,
      scheme: Scheme,
      type: optionalString,
    }),
  }),
);
type Config = z.output<typeof State>['configuration'];

const TYPES: Readonly<Record<string, LoadBalancerDelta['lbType']>> = {
  application: 'application',
  network: 'network',
  gateway: 'gateway',
};

function loadBalancerExtractor(classic: boolean): Extractor {
  return (input) => {
    const before = input.read(State, 'before')?.configuration;
    const after = input.read(State, 'after')?.configuration;
    const config: Config | undefined = after ?? before;
    const lbType = classic ? 'classic' : TYPES[config?.type?.toLowerCase() ?? ''];
    if (config === undefined || lbType === undefined || config.scheme === undefined) return [];
    const arn = config.loadBalancerArn ?? input.arn;
    const base = {
      kind: 'load-balancer' as const,
      name: config.loadBalancerName ?? input.resourceName ?? input.resourceId,
      ...(arn !== undefined ? { arn } : {}),
      lbType,
      scheme: config.scheme,
    };
    if (input.lifecycle === 'deleted') return [{ ...base, op: 'removed' }];
    if (input.lifecycle === 'created') return [{ ...base, op: 'added' }];
    if (before?.scheme !== undefined && after?.scheme !== undefined && before.scheme !== after.scheme) {
      return [{ ...base, op: 'changed', before: { scheme: before.scheme } }];
    }
    return [];
  };
}

export const loadBalancerV2 = loadBalancerExtractor(false);
export const classicLoadBalancer = loadBalancerExtractor(true);
