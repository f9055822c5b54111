import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nothing listens on (at the time of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A Redis server of the test's own (the shared one is never stopped), answering PING. */
export async function startRedis(
  port: number,
  args: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  const password = args.includes('--requirepass') ? args[args.indexOf('--requirepass') + 1] : '';
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync('redis-cli', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      ...(password ? ['--no-auth-warning', '-a', password] : []),
      'ping',
    ]);
    if (ping.stdout?.toString().trim() === 'PONG') return child;
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error('redis-server did not start');
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
