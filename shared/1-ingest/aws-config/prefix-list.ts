import * as z from 'zod';
import type { PrefixListEntryDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { setDifference } from './extractor.ts';
import { ciObject, optionalList, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::PrefixList` (customer-managed prefix lists) → {@link PrefixListEntryDelta}s. Config records this type in
 * the CloudFormation schema's PascalCase (`PrefixListId`, `Entries[].Cidr`); field matching is case-insensitive, so the
 * Describe-style lowerCamelCase reads too. AWS-managed lists (`com.amazonaws.<region>.s3`, …) are not recorded.
 * @see https://github.com/awslabs/aws-config-resource-schema/blob/master/config/properties/resource-types/AWS::EC2::PrefixList.properties.json
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ManagedPrefixList.html
 */
const Entry = z.lazy(() => z.union([z.string(), ciObject({ cidr: optionalString })]));

const State = z.lazy(() =>
  ciObject({ configuration: ciObject({ prefixListId: optionalString, entries: optionalList(Entry) }) }),
);

export const prefixList: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  const cidrs = (side: typeof before): string[] =>
    (side?.entries ?? []).flatMap((e) => {
      const cidr = typeof e === 'string' ? e : e.cidr;
      return cidr !== undefined ? [cidr] : [];
    });
  const prefixListId = after?.prefixListId ?? before?.prefixListId ?? input.resourceId;
  const { added, removed } = setDifference(cidrs(before), cidrs(after), (c) => c);
  const delta = (op: 'added' | 'removed', cidr: string): PrefixListEntryDelta => ({
    kind: 'prefix-list-entry',
    op,
    prefixListId,
    cidr,
  });
  return [...added.map((c) => delta('added', c)), ...removed.map((c) => delta('removed', c))];
};
