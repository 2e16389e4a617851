/**
 * @platform/events-ops — what operators and tools use and services never do: provisioning the
 * JetStream topology (with the diff that refuses unsafe changes), NATS permissions per service,
 * NKey identities and the nats-server authorization they render to, and the AsyncAPI document and
 * contract documents rendered from a catalogue. Test NATS servers configured
 * like production are in `@platform/events-ops/testing`.
 */
export {
  describeRefusals,
  formatProvisionReport,
  provision,
  ProvisionAction,
  type ProvisionEntry,
  type ProvisionOptions,
  type ProvisionReport,
} from './provisioner.js';
export { OptInChange, type FieldChange, type Refusal } from './topology.diff.js';
export { servicePermissions, type ServicePermissionsOptions, type SubjectPermissions } from './permissions.js';
export {
  createNatsIdentity,
  natsAuthorizationConfig,
  natsIdentityFromSeed,
  natsUserEntry,
  provisionerPermissions,
  type NatsAuthorizationOptions,
  type NatsIdentity,
  type NatsUserEntry,
} from './nats-auth.js';
export {
  createPlatformNatsIdentities,
  PLATFORM_NATS_IDENTITIES,
  PlatformAdminIdentity,
  platformNatsAuthorizationConfig,
  platformNatsUsers,
} from './identities.js';
export { generateAsyncApi, type AsyncApiOptions } from './asyncapi.js';
export { renderContractDocuments, toStableJson } from './contract-documents.js';
