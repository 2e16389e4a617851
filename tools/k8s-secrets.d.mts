// Types of tools/k8s-secrets.mjs (plain JS) for the specs.
export declare const SERVICES: readonly string[];
export declare const DEFAULT_NAMESPACE: string;
/** Secret name → { key: value }, generated in (and reused from) `stateDir`. */
export declare function platformSecrets(options: { stateDir: string }): Promise<Record<string, Record<string, string>>>;
export declare function secretsYaml(secrets: Record<string, Record<string, string>>, namespace?: string): string;
