import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Secrets Manager's GetSecretValue (the AWS JSON 1.1 protocol), which neither emulator
 * implements: enough for the PagerDuty forwarder's real adapter to read its routing key through
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, locally and in tests. Secrets live in memory, by name.
 */
export async function startLocalSecrets(
  secrets: Readonly<Record<string, string>>,
): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        answer(400, { __type: 'UnknownOperationException', message: 'only GetSecretValue is emulated' });
        return;
      }
      let secretId = '';
      try {
        secretId = String((JSON.parse(text) as { SecretId?: unknown }).SecretId ?? '');
      } catch {
        // answered below as not found
      }
      const value = secrets[secretId];
      if (value === undefined) {
        answer(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      answer(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretId}-local`,
        Name: secretId,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
