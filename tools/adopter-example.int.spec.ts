import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestNatsServer, type TestNatsServer } from '@platform/events/testing';
import { createNatsIdentity, natsAuthorizationConfig } from '@platform/events-ops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// docs/examples/adopter/greeter.ts, built and run the way a codebase outside this repository
// would: its own folder and tsconfig, the libraries' built packages (dist, no source condition),
// on a NATS server that refuses anonymous clients.
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

describe('the adopter example (docs/examples/adopter)', { timeout: 180_000 }, () => {
  let dir: string;
  let nats: TestNatsServer;
  const identity = createNatsIdentity('greeter');

  beforeAll(async () => {
    execFileSync(bin('tsc'), ['-b', 'libs/events-ops/tsconfig.json'], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'adopter-'));
    cpSync(join(root, 'docs/examples/adopter/greeter.ts'), join(dir, 'greeter.ts'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'greeter', private: true, type: 'module' }));
    const compilerOptions = { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, types: ['node'] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['greeter.ts'] }));
    writeFileSync(join(dir, 'greeter.nk'), identity.seed);
    const authorization = natsAuthorizationConfig({ users: [{ name: 'greeter', publicKey: identity.publicKey }] });
    nats = await startTestNatsServer({ config: (port, storeDir) => `listen: 127.0.0.1:${port}\njetstream { store_dir: "${storeDir}" }\n${authorization}\n` });
  });

  afterAll(async () => {
    await nats?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks against the built packages', () => {
    expect(() => execFileSync(bin('tsc'), ['-p', dir], { cwd: dir, stdio: 'pipe' })).not.toThrow();
  });

  it('publishes through its outbox and handles the event on its durable consumer, then exits 0', async () => {
    const child = spawn(process.execPath, [join(dir, 'greeter.js')], {
      cwd: dir,
      env: { PATH: process.env['PATH'], NATS_URL: nats.url, NATS_NKEY_SEED_FILE: join(dir, 'greeter.nk'), DATA_DIR: join(dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // A handler that never runs leaves the example waiting: stop it and fail with what it printed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve)).finally(() => clearTimeout(timer));
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain('greeted Ada');
  });
});
