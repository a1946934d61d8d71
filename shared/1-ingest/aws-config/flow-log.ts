import * as z from 'zod';
import type { LoggingDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { existenceOp } from './extractor.ts';
import { ciObject, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::FlowLog` → {@link LoggingDelta} (subject `flow-log`). Flow logs cannot be modified in place (only
 * created and deleted), so only the item's existence matters: discovered → created, `ResourceDeleted` → deleted.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FlowLog.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/working-with-flow-logs.html
 */
const State = z.lazy(() => ciObject({ configuration: ciObject({ flowLogId: optionalString }) }));

export const flowLog: Extractor = (input) => {
  const op = existenceOp(input.lifecycle);
  if (op === undefined) return [];
  const config = input.read(State, 'after')?.configuration ?? input.read(State, 'before')?.configuration;
  const delta: LoggingDelta = {
    kind: 'logging',
    op,
    subject: 'flow-log',
    id: config?.flowLogId ?? input.resourceId,
    action: op === 'added' ? 'created' : 'deleted',
  };
  return [delta];
};
