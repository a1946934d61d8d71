import type { Strengthening, Weakening } from '../model/logging.ts';

/**
 * The CloudTrail trail settings whose change weakens or strengthens audit logging, once for both normalizers: each
 * spells the setting its own way (the UpdateTrail request parameter, the Config item's configuration field), and both
 * must report it in the same words (shared/model/logging.ts) so a change seen by both sources reads the same.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html
 */
export const TRAIL_FLAGS = [
  { request: 'isMultiRegionTrail', item: 'isMultiRegionTrail', off: 'multi-region off', on: 'multi-region on' },
  {
    request: 'enableLogFileValidation',
    item: 'logFileValidationEnabled',
    off: 'log-file validation off',
    on: 'log-file validation on',
  },
  {
    request: 'includeGlobalServiceEvents',
    item: 'includeGlobalServiceEvents',
    off: 'global service events off',
    on: 'global service events on',
  },
  {
    request: 'isOrganizationTrail',
    item: 'isOrganizationTrail',
    off: 'organization trail off',
    on: 'organization trail on',
  },
] as const satisfies ReadonlyArray<{ request: string; item: string; off: Weakening; on: Strengthening }>;
