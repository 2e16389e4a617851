// Types of tools/alerting-local.mjs (plain JS, used by tools/observe.mjs) for the specs.
export declare const ALERTMANAGER_CONFIG: string;
export declare const PROMETHEUS_CONFIG: string;
export declare const ONCALL_RECEIVER: string;
export declare const DEFAULT_ALERTMANAGER_PORT: number;
export declare function alertmanagerBinary(env?: Record<string, string | undefined>): string | undefined;
export declare function alertmanagerArgs(options: { configFile: string; dataDir: string; port: number | string }): string[];
export declare function alertmanagerConfigWithWebhook(configText: string, url: string): string;
export declare function prometheusConfigFor(configText: string, options: { configFile: string; alertmanagers: string[] }): string;
