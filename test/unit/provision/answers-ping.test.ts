/**
 * Readiness of a session's Redis through its published port: only PONG counts. The engine's port
 * proxy accepts a connection before Redis listens and then closes it, and Redis loading its data
 * answers an error: both are "not yet".
 */
import { type Server, type Socket, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answersPing } from '../../../runner/provision/readiness.js';

let server: Server | undefined;

async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  server = createServer(onSocket);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('answersPing', () => {
  it('is true once PING is answered with PONG', async () => {
    const port = await listen((socket) => socket.on('data', () => socket.write('+PONG\r\n')));
    expect(await answersPing({ host: '127.0.0.1', port: port }, 2000)).toBe(true);
  });

  it('asks again after a connection that was closed unanswered, and is true when Redis comes up', async () => {
    let connections = 0;
    const port = await listen((socket) => {
      connections += 1;
      if (connections < 3) socket.destroy();
      else socket.on('data', () => socket.write('+PONG\r\n'));
    });
    expect(await answersPing({ host: '127.0.0.1', port: port }, 2000)).toBe(true);
    expect(connections).toBe(3);
  });

  it('is false when every answer is an error (Redis still loading) or the connection is only closed', async () => {
    const loading = await listen((socket) => socket.on('data', () => socket.write('-LOADING Redis is loading the dataset in memory\r\n')));
    expect(await answersPing({ host: '127.0.0.1', port: loading }, 300)).toBe(false);
    await new Promise((resolve) => server!.close(resolve));
    const closing = await listen((socket) => socket.destroy());
    expect(await answersPing({ host: '127.0.0.1', port: closing }, 300)).toBe(false);
  });

  it('is false when nothing listens', async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    expect(await answersPing({ host: '127.0.0.1', port: port }, 300)).toBe(false);
  });

  it('a stop ends the wait', async () => {
    const port = await listen((socket) => socket.destroy());
    await expect(answersPing({ host: '127.0.0.1', port: port }, 5000, AbortSignal.abort())).rejects.toThrow();
  });
});
