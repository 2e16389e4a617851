// Types of tools/dev-auth.mjs (plain JS, used by tools/start.ts and tools/token.mjs).
export declare const DEV_ISSUER: string;
export declare const DEV_AUDIENCE: string;
export interface DevKeyPaths {
  readonly dir: string;
  readonly privateKey: string;
  readonly publicKey: string;
}
export declare function devKeyPaths(dataDir: string): DevKeyPaths;
export declare function ensureDevSigningKey(dataDir: string): DevKeyPaths;
export declare function devAuthEnv(
  dataDir: string,
  env?: Readonly<Record<string, string | undefined>>,
): Partial<Record<'AUTH_PUBLIC_KEY_FILE' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE', string>>;
export declare function mintDevToken(
  dataDir: string,
  claims: { tenant: string; roles: readonly string[]; sub: string; ttlSeconds: number; issuer?: string; audience?: string },
): Promise<string>;
