import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeExit, ManagedProcess, type ProcessOutput } from '../e2e/harness/process-runner.js';

// The supervisor of npm start and of the e2e harness, on small `node -e` processes.

const node = (name: string, script: string, output: ProcessOutput = 'ignore', ownGroup?: boolean) =>
  ManagedProcess.spawn({ name, command: process.execPath, args: ['-e', script], env: { ...process.env, PROBE: 'from-env' }, output, ownGroup });

const collect = (stream: PassThrough) => {
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return () => text;
};

describe('ManagedProcess', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'process-runner-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prefixes each line of stdout and stderr, passes the environment, and reports the exit code', async () => {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const [out, err] = [collect(stdout), collect(stderr)];
    const child = node('probe', "console.log('one\\ntwo'); console.error(process.env.PROBE); process.stdout.write('partial'); process.exitCode = 3", { prefix: '[probe]', stdout, stderr });
    const status = await child.exited;
    expect(status).toMatchObject({ code: 3, signal: null });
    expect(describeExit(status)).toBe('code 3');
    expect(out()).toBe('[probe] one\n[probe] two\n[probe] partial\n');
    expect(err()).toBe('[probe] from-env\n');
    expect(child.running).toBe(false);
  });

  it('appends both streams to a log file, written by the time it has exited', async () => {
    const file = join(dir, 'probe.log');
    await node('probe', "console.log('first')", { file }).exited;
    await node('probe', "console.error('second')", { file }).exited;
    expect(await readFile(file, 'utf8')).toBe('first\nsecond\n');
  });

  it('stops with SIGTERM, and with SIGKILL after the grace when SIGTERM is ignored', async () => {
    const polite = node('polite', 'setInterval(() => undefined, 1000)');
    expect(polite.running).toBe(true);
    expect(await polite.stop({ graceMs: 5_000 })).toMatchObject({ code: null, signal: 'SIGTERM' });
    const stubborn = node('stubborn', "process.on('SIGTERM', () => undefined); console.log('up'); setInterval(() => undefined, 1000)", { prefix: '>', stdout: new PassThrough() });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const status = await stubborn.stop({ graceMs: 300 });
    expect(status.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('signals the whole process group, children included', async () => {
    const stdout = new PassThrough();
    const out = collect(stdout);
    const parent = node('parent', "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)", { prefix: '', stdout });
    while (!out().trim()) await new Promise((resolve) => setTimeout(resolve, 50));
    const grandchild = Number(out().trim());
    await parent.stop({ graceMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Gone, or a zombie its new parent has not reaped yet.
    const state = await readFile(`/proc/${grandchild}/stat`, 'utf8').then((stat) => stat.split(') ')[1]![0], () => 'gone');
    expect(['gone', 'Z']).toContain(state);
  });

  it('tells its exit listeners how long it ran, also when they subscribe late', async () => {
    const child = node('short', 'setTimeout(() => process.exit(1), 200)');
    const early = new Promise((resolve) => child.onExit(resolve));
    const status = await child.exited;
    expect(await early).toBe(status);
    expect(status.uptimeMs).toBeGreaterThanOrEqual(150);
    const late = await new Promise((resolve) => child.onExit(resolve));
    expect(late).toBe(status);
  });

  it('reports a command that cannot be run as an exit with its error', async () => {
    const status = await ManagedProcess.spawn({ name: 'missing', command: join(dir, 'no-such-binary'), env: {}, output: 'ignore' }).exited;
    expect(describeExit(status)).toMatch(/^cannot run: .*ENOENT/);
  });

  describe('waitUntilReady', () => {
    let server: Server;
    let ready = false;
    let url: string;
    beforeAll(async () => {
      server = createServer((_request, response) => response.writeHead(ready ? 200 : 503).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/health/ready`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('is ready once the probe answers 2xx, and reports a timeout or an exit otherwise', async () => {
      const child = node('server', 'setInterval(() => undefined, 1000)');
      expect(await child.waitUntilReady({ url, timeoutMs: 300, intervalMs: 50 })).toBe('timeout');
      setTimeout(() => (ready = true), 200);
      expect(await child.waitUntilReady({ url, timeoutMs: 5_000, intervalMs: 50 })).toBe('ready');
      const aborted = AbortSignal.abort();
      expect(await child.waitUntilReady({ url, timeoutMs: 5_000, signal: aborted })).toBe('aborted');
      await child.stop({ graceMs: 1_000 });
      ready = false;
      expect(await child.waitUntilReady({ url, timeoutMs: 5_000 })).toBe('exited');
    });
  });
});
