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
});
