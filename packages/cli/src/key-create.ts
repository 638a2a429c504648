import { createKey } from '@ponte/auth-apikey';
import type { Io } from './commands.js';
import { EXIT } from './exit-codes.js';

/**
 * `ponte key create --id ID --scopes S[,S…] [--json]`: a new API key, shown
 * once, and the entry that admits it (its scrypt hash, never the key) for
 * `@ponte/auth-apikey`'s `keys` or `keysFile`.
 */
export async function keyCreate(args: { id: string | undefined; scopes: string | undefined; json: boolean }, io: Io): Promise<number> {
  if (args.id === undefined || args.scopes === undefined) {
    io.err('ponte: key create needs --id ID and --scopes SCOPE[,SCOPE…], e.g. --id billing --scopes infer:purchase,read:purchase\n');
    return EXIT.usage;
  }
  const scopes = args.scopes.split(',').map((s) => s.trim()).filter((s) => s !== '');
  let created;
  try {
    created = await createKey({ id: args.id, scopes });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    io.err(`ponte: key create: --${e.message}\n`);
    return EXIT.usage;
  }
  if (args.json) {
    io.out(`${JSON.stringify({ id: created.id, key: created.key, hash: created.hash, scopes: created.scopes })}\n`);
    return EXIT.ok;
  }
  io.out(`API key "${created.id}" (shown once: Ponte stores only its hash, so keep it now):

  ${created.key}

Add this entry to the keys of @ponte/auth-apikey (options.keys, or its keysFile):

  - id: '${created.id}'
    hash: '${created.hash}'
    scopes: [${created.scopes.map((s) => `'${s}'`).join(', ')}]

Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".
`);
  return EXIT.ok;
}
