/**
 * A TCP relay on 127.0.0.1 in front of a test server that can cut the connection carrying an
 * upload once it has relayed so many bytes towards the server: a server that drops the
 * connection mid-transfer, as a flaky network or proxy does.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CutProxy {
  readonly port: number;
  /** the next `times` connections to carry more than `bytes` towards the server are cut there */
  cutAfter(bytes: number, times?: number): void;
  /** how many connections were cut */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  let armed: number | undefined;
  let left = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on('data', (b: Buffer) => {
      sent += b.length;
      if (armed !== undefined && sent > armed) {
        if (--left <= 0) armed = undefined;
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => client.write(b));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cutAfter: (bytes, times = 1) => {
      armed = bytes;
      left = times;
    },
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
