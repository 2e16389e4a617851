import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const RULE = '@nx/enforce-module-boundaries';

async function boundaryErrors(filePath: string, code: string) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return result!.messages.filter((m) => m.ruleId === RULE);
}

// Linting loads the Nx project graph; the first call may take a few seconds.
describe('module boundaries', { timeout: 60_000 }, () => {
  it('refuses an app importing another app', async () => {
    const errors = await boundaryErrors('apps/payment/src/boundary-probe.ts', "import { x } from '@platform/order-service';\nexport const y = x;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.severity).toBe(2);
  });

  it('refuses a shared library importing an app', async () => {
    const errors = await boundaryErrors('libs/service-kit/src/boundary-probe.ts', "import { x } from '@platform/loyalty-service';\nexport const y = x;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.severity).toBe(2);
  });

  it('lets an app import the shared libraries', async () => {
    const errors = await boundaryErrors(
      'apps/payment/src/boundary-probe.ts',
      "import { loadConfig } from '@platform/service-kit';\nimport { newEventId } from '@platform/events';\nexport const y = [loadConfig, newEventId];\n",
    );
    expect(errors).toEqual([]);
  });

  it.each([
    ['the generic library importing the contracts', 'libs/events/src/boundary-probe.ts', '@platform/contracts', 'platformTopology'],
    ['the generic library importing ops', 'libs/events/src/boundary-probe.ts', '@platform/events-ops', 'provision'],
    ['the contracts importing ops', 'libs/contracts/src/boundary-probe.ts', '@platform/events-ops', 'provision'],
    ['the contracts importing the service kit', 'libs/contracts/src/boundary-probe.ts', '@platform/service-kit', 'loadConfig'],
    ['ops importing the service kit', 'libs/events-ops/src/boundary-probe.ts', '@platform/service-kit', 'loadConfig'],
    ['an app importing ops', 'apps/order/src/boundary-probe.ts', '@platform/events-ops', 'provision'],
    ['the service kit importing ops', 'libs/service-kit/src/boundary-probe.ts', '@platform/events-ops', 'provision'],
  ])('refuses %s', async (_what, file, specifier, name) => {
    const errors = await boundaryErrors(file, `import { ${name} } from '${specifier}';\nexport const y = ${name};\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.severity).toBe(2);
  });

  it("lets an app's specs use ops' test NATS servers", async () => {
    const errors = await boundaryErrors('apps/order/src/boundary-probe.spec.ts', "import { startPlatformTestNats } from '@platform/events-ops/testing';\nexport const y = startPlatformTestNats;\n");
    expect(errors).toEqual([]);
  });

  it('refuses infrastructure in domain code, and lets it use the contracts', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (code: string) => (await eslint.lintText(code, { filePath: `${root}apps/order/src/domain/boundary-probe.ts` }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
    expect(await lint("import { newEventId } from '@platform/events';\nexport const y = newEventId;\n")).toHaveLength(1);
    expect(await lint("import { Injectable } from '@nestjs/common';\nexport const y = Injectable;\n")).toHaveLength(1);
    expect(await lint("import { OrderCancellationReason } from '@platform/contracts';\nexport const y = OrderCancellationReason;\n")).toEqual([]);
  });

  it('refuses the events runtime in app code, and lets it use the ports', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (code: string) => (await eslint.lintText(code, { filePath: `${root}apps/order/src/application/boundary-probe.ts` }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
    expect(await lint("import { EVENTS_RUNTIME } from '@platform/service-kit';\nexport const y = EVENTS_RUNTIME;\n")).toHaveLength(1);
    expect(await lint("import { EventOutbox } from '@platform/service-kit';\nexport const y = EventOutbox;\n")).toEqual([]);
  });
  it('refuses adapters in application code, database adapters in controllers, layers above domain code; lets them use the ports', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (file: string, code: string) => (await eslint.lintText(code, { filePath: `${root}apps/order/src/${file}` }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
    const repository = "import { OrdersRepository } from '../adapters/db/orders.repository.js';\nexport const y = OrdersRepository;\n";
    expect(await lint('application/boundary-probe.ts', repository)).toHaveLength(1);
    expect(await lint('application/boundary-probe.ts', "import { x } from '../adapters/http/orders.controller.js';\nexport const y = x;\n")).toHaveLength(1);
    // the runtime paths still hold in application code (its block repeats them)
    expect(await lint('application/boundary-probe.ts', "import { EVENTS_RUNTIME } from '@platform/service-kit';\nexport const y = EVENTS_RUNTIME;\n")).toHaveLength(1);
    expect(await lint('application/boundary-probe.ts', "import { OrdersStore } from './ports.js';\nexport const y = OrdersStore;\n")).toEqual([]);
    expect(await lint('adapters/http/boundary-probe.ts', "import { OrdersRepository } from '../db/orders.repository.js';\nexport const y = OrdersRepository;\n")).toHaveLength(1);
    expect(await lint('adapters/events/boundary-probe.ts', "import { OrdersRepository } from '../db/orders.repository.js';\nexport const y = OrdersRepository;\n")).toHaveLength(1);
    expect(await lint('adapters/http/boundary-probe.ts', "import { OrderQueries } from '../../application/order-queries.js';\nexport const y = OrderQueries;\n")).toEqual([]);
    expect(await lint('domain/boundary-probe.ts', "import { OrdersStore } from '../application/ports.js';\nexport const y = OrdersStore;\n")).toHaveLength(1);
    expect(await lint('adapters/db/boundary-probe.ts', "import { OrdersStore } from '../../application/ports.js';\nexport const y = OrdersStore;\n")).toEqual([]);
  });
});
