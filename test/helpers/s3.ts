/**
 * A real S3 server for tests: s3rver on 127.0.0.1 at a free port, filesystem-backed in a temp
 * folder, with its default keys (S3RVER/S3RVER). What a Ferry or git-annex S3 remote needs to use
 * it: `s3Params` for initremote, `s3Env` for the credentials.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface S3Server {
  readonly port: number;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startS3(root: string): Promise<S3Server> {
  const dir = join(root, 's3rver');
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const { port } = await server.run();
  return { port, dir, close: () => server.close() };
}

export const S3_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

/** initremote parameters for a bucket on the test server (path style, v4, plain http). */
export function s3Params(port: number, bucket: string): string[] {
  return [
    'type=S3',
    `bucket=${bucket}`,
    'host=127.0.0.1',
    `port=${port}`,
    'protocol=http',
    'requeststyle=path',
    'signature=v4',
    'fileprefix=annex/',
  ];
}

/** Sets the test server's credentials in this process's environment (Ferry and git-annex read them). */
export function useS3Keys(): void {
  Object.assign(process.env, S3_KEYS);
}
