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
});
