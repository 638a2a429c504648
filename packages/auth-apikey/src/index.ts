import { apiKeyPlugin } from './apikey-plugin.js';

export { apiKeyPlugin, type ApiKeyOptions } from './apikey-plugin.js';
export { ApiKeyAuthenticator } from './apikey-authenticator.js';
export { createKey, type CreatedKey } from './create-key.js';
export { KEY_PREFIX, KEY_ID_PATTERN, keyIdOf } from './key-format.js';
export { HASH_PATTERN, DEFAULT_SCRYPT, hashKey, parseKeyHash, verifyKeyHash, type KeyHash } from './key-hash.js';
export { KEY_ENTRY_SCHEMA, loadKeyEntries, type KeyEntry, type LoadedKey } from './key-entries.js';
export { KeyVerifier, DEFAULT_LIMITS, type KeyVerifierLimits } from './key-verifier.js';

export default apiKeyPlugin;
