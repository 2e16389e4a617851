// Types of tools/dev-secrets.mjs (plain JS, used by tools/start.ts) for start and the specs.
export declare function paymentTokenKeyFile(dataDir: string): string;
export declare function ensurePaymentTokenKey(dataDir: string, env?: Readonly<Record<string, string | undefined>>): { readonly PAYMENT_TOKEN_KEYS: string };
