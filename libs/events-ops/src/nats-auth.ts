import { createUser, fromPublic, fromSeed } from '@nats-io/nkeys';
import { InvalidConfigError } from '@platform/events';
import type { SubjectPermissions } from './permissions.js';

/**
 * A NATS identity: a user NKey. The seed (`SU…`) is the secret the process connects with
 * (`NATS_NKEY_SEED_FILE`); the server configuration holds only the public key (`U…`), so the
 * generated server config is not itself a secret.
 */
export interface NatsIdentity {
  readonly name: string;
  readonly seed: string;
  readonly publicKey: string;
}

/** A new random user NKey for `name`. */
export function createNatsIdentity(name: string): NatsIdentity {
  const pair = createUser();
  return { name, seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}

/** The identity of an existing user seed (e.g. read back from its file); refuses anything but a user seed. */
export function natsIdentityFromSeed(name: string, seed: string): NatsIdentity {
  let publicKey: string;
  try {
    publicKey = fromSeed(new TextEncoder().encode(seed.trim())).getPublicKey();
  } catch (error) {
    throw new InvalidConfigError(`NATS identity ${name}`, `not an NKey seed (${(error as Error).message})`);
  }
  if (!publicKey.startsWith('U')) throw new InvalidConfigError(`NATS identity ${name}`, 'the seed is not a user seed (SU…)');
  return { name, seed: seed.trim(), publicKey };
}

/** One `users` entry: a public user NKey and, unless it is unrestricted within the account, its permissions. */
export interface NatsUserEntry {
  /** For the reader of the config: a comment above the entry. */
  readonly name: string;
  readonly publicKey: string;
  readonly permissions?: SubjectPermissions;
}

export interface NatsAuthorizationOptions {
  /** The account holding the users, with JetStream enabled. Default `PLATFORM`. */
  readonly account?: string;
  readonly users: readonly NatsUserEntry[];
}

/**
 * The `accounts { … }` block of a nats-server config: one JetStream-enabled account whose users
 * are NKeys with their permissions. There is no `no_auth_user`, so a connection without a valid
 * NKey signature is refused; include it in a config that also sets `listen`, `jetstream` (and TLS).
 */
export function natsAuthorizationConfig(options: NatsAuthorizationOptions): string {
  const account = options.account ?? 'PLATFORM';
  if (!/^[A-Z][A-Z0-9_]*$/.test(account)) throw new InvalidConfigError('NATS account', `${account}: upper-case letters, digits and _ only`);
  if (options.users.length === 0) throw new InvalidConfigError('NATS users', 'an account needs at least one user');
  const seen = new Set<string>();
  const users = options.users.map((user) => {
    try {
      fromPublic(user.publicKey);
    } catch {
      throw new InvalidConfigError(`NATS user ${user.name}`, `${user.publicKey} is not a public NKey`);
    }
    if (!user.publicKey.startsWith('U')) throw new InvalidConfigError(`NATS user ${user.name}`, `${user.publicKey} is not a user NKey (U…)`);
    if (seen.has(user.publicKey)) throw new InvalidConfigError(`NATS user ${user.name}`, 'public key used twice');
    seen.add(user.publicKey);
    return natsUserEntry(user);
  });
  return [`accounts {`, `  ${account} {`, `    jetstream: enabled`, `    users: [`, ...users.map((u) => indent(u, 6)), `    ]`, `  }`, `}`, ''].join('\n');
}

/** One user of a `users` list as config text (a comment with its name, then the entry); not validated. */
export function natsUserEntry(user: NatsUserEntry): string {
  const header = `# ${user.name.replace(/[\r\n]/g, ' ')}`;
  if (!user.permissions) return `${header}\n{ nkey: "${user.publicKey}" }`;
  const list = (subjects: readonly string[]) => subjects.map((s) => `    ${JSON.stringify(s)}`).join('\n');
  return [
    header,
    `{ nkey: "${user.publicKey}", permissions: {`,
    `  publish: { allow: [`,
    list(user.permissions.publish.allow),
    `  ] }`,
    `  subscribe: { allow: [`,
    list(user.permissions.subscribe.allow),
    `  ] }`,
    `} }`,
  ].join('\n');
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

/**
 * The provisioner's permissions: the JetStream API (streams and consumers: create, update, info;
 * the provisioner never deletes, but the server cannot tell an update from a delete by subject,
 * so it holds the whole API) and replies on its inbox prefix. It cannot publish or read events.
 */
export function provisionerPermissions(inboxPrefix = '_INBOX_provisioner'): SubjectPermissions {
  return {
    publish: { allow: ['$JS.API.>'] },
    subscribe: { allow: [`${inboxPrefix}.>`] },
  };
}
