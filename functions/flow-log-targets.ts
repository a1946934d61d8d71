/** CloudFormation custom resource: ENIs of the named PrivateLink endpoints / services and the flow-log format. Wiring only. */
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../shared/platform/aws/clients.ts';
import { type CustomResourceEvent, handleFlowLogTargets } from '../shared/lambda/flow-log-targets.ts';

const clients = createAwsClients();

export const handler = async (event: CustomResourceEvent, context: Context) =>
  handleFlowLogTargets(event, clients.ec2, { logStream: context.logStreamName });
