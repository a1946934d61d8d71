import { startFauxqs } from 'fauxqs';
import { createAwsClients, type AwsClients } from '../../shared/platform/aws/clients.ts';
import { LOCAL_AWS } from './aws-json-server.ts';

/**
 * fauxqs (SNS + SQS + S3 emulator) in process on 127.0.0.1:0, with SDK clients pointed at it. Real wire protocol:
 * the sinks' commands are serialized, sent and answered exactly as against AWS (within fauxqs's fidelity).
 */
export async function startEmulator() {
  // Dummy credentials in the environment too, so nothing can fall through to a real profile.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'eu-west-1';
  const server = await startFauxqs({ port: 0, host: 'localhost', defaultRegion: 'eu-west-1', logger: false });
  const clients: AwsClients = createAwsClients({
    ...LOCAL_AWS,
    endpoint: server.address,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  return { server, clients, stop: () => server.stop() };
}
