/**
 * The parts of the authorisation matrix that do not depend on one server:
 * what a route needs (action and model), the matrix generated from the route
 * tables, the gRPC method table read from the real handlers, and a signer
 * of good and forged JWTs.
 */
import { createHmac, generateKeyPairSync, sign as rsaSign, type KeyObject } from 'node:crypto';
import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Action, RouteAction } from '@ponte/core';
import { inferenceServiceHandlers, loadInferenceProto, type GrpcServices } from '@ponte/grpc';
import type { HttpRoute } from '@ponte/http';

/** Every action a scope can grant; the type check below fails when core adds one. */
export const ACTIONS = ['infer', 'explain', 'feedback', 'read', 'monitor', 'admin'] as const satisfies readonly Action[];
type Missing = Exclude<Action, (typeof ACTIONS)[number]>;
const allActionsListed: [Missing] extends [never] ? true : Missing = true;
void allActionsListed;

/** What a call must be allowed: its action on its model (undefined: a server-wide call, which needs model `*`). */
export interface Need {
  readonly action: RouteAction;
  readonly model: string | undefined;
}

/** The model every model route of the matrix is called for. */
export const MODEL = 'purchase';

/** The one scope that opens a call, and no other. */
export function grantingScope(need: Need): string {
  return `${need.action}:${need.model ?? '*'}`;
}

/**
 * Scopes a valid credential may hold and still be refused: every other action
 * on every model, and the call's action on the wrong model (another model for
 * a model route; a named model, not `*`, for a server-wide route).
 */
export function lackingScopes(need: Need): string[] {
  return [...ACTIONS.filter((a) => a !== need.action).map((a) => `${a}:*`), `${need.action}:${need.model === undefined ? MODEL : 'house'}`];
}

/** A short, stable name for a need, usable as an API key id. */
export function needId(need: Need): string {
  return `${need.action}-${need.model ?? 'all'}`;
}

/** A REST route's need: `{name}` in the path names the model the exchange is for (see HttpExchange). */
export function restNeed(route: HttpRoute): Need {
  return { action: route.action, model: route.path.includes('{name}') ? MODEL : undefined };
}

/** A concrete path for a route template: known parameters get real values, others a placeholder. */
export function concretePath(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
}

/** What a case must answer: a public route is never refused; the others by the credential. */
export type Expected = 'public' | 'unauthenticated' | 'forbidden' | 'allowed';

/** A credential as sent: headers (REST) or metadata (gRPC), and the strings no refusal may repeat. */
export interface Credential {
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
}

/** One column of the matrix: a kind of credential, made for a call's need, and how the gate must answer it. */
export interface CredentialKind {
  readonly name: string;
  readonly expect: Exclude<Expected, 'public'>;
  credential(need: Need): Credential;
}

/** One gRPC method of the inference service, as its handler declares it to the pipeline. */
export interface GrpcMethod {
  readonly method: string;
  readonly action: RouteAction;
  readonly model: string | undefined;
}

/** One cell of the matrix. */
export interface MatrixCase<Target> {
  readonly target: Target;
  readonly need: Need;
  readonly kind: CredentialKind;
  readonly expected: Expected;
}

function cell<Target>(target: Target, need: Need, kind: CredentialKind): MatrixCase<Target> {
  return { target, need, kind, expected: need.action === 'public' ? 'public' : kind.expect };
}

/** Every REST route of the table × every credential kind. */
export function restMatrix(routes: readonly HttpRoute[], kinds: readonly CredentialKind[]): MatrixCase<HttpRoute>[] {
  return routes.flatMap((r) => kinds.map((k) => cell(r, restNeed(r), k)));
}

/** Every gRPC method × every credential kind. */
export function grpcMatrix(methods: readonly GrpcMethod[], kinds: readonly CredentialKind[]): MatrixCase<GrpcMethod>[] {
  return methods.flatMap((m) => kinds.map((k) => cell(m, { action: m.action, model: m.model }, k)));
}

/**
 * The gRPC route table: every method of `inference.GRPCInferenceService`
 * (from the proto), with the action and model its real handler hands to the
 * request pipeline. Each handler is called once with a stub pipeline that
 * records the exchange; a handler that answers without the pipeline is
 * public (liveness, readiness). So a method added later is classified as the
 * server classifies it, with no list to edit here.
 */
export async function grpcMethodTable(): Promise<GrpcMethod[]> {
  const methods = Object.keys(loadInferenceProto().service);
  const out: GrpcMethod[] = [];
  for (const method of methods) {
    let seen: { action: RouteAction; model: string | undefined } | undefined;
    const services = {
      pipeline: {
        handle(x: { action: RouteAction; model: string | undefined }) {
          seen = { action: x.action, model: x.model };
          return Promise.resolve({ ok: true, value: {} });
        },
      },
      registry: { readiness: () => ({ ready: true }) },
      lifecycle: { state: 'serving' },
      info: { name: 'stub', version: '0', extensions: [] },
      logger: { error() {}, warn() {}, info() {}, debug() {} },
    } as unknown as GrpcServices;
    const handler = inferenceServiceHandlers(services)[method] as ((call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => void) | undefined;
    if (handler === undefined) throw new Error(`gRPC method ${method} is in the proto but has no handler`);
    const call = {
      request: { name: MODEL, model_name: MODEL },
      metadata: new Metadata(),
      sendMetadata() {},
      getDeadline: () => Infinity,
      getAuthContext: () => ({}),
    } as unknown as ServerUnaryCall<unknown, unknown>;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gRPC method ${method}: its handler never answered the stub call`)), 2000);
      handler(call, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    out.push(seen === undefined ? { method, action: 'public', model: undefined } : { method, ...seen });
  }
  return out;
}

/** Runs `fn` over `items`, at most `width` at a time; results in the items' order. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

/**
 * An identity provider's RS256 key: its public JWKS (for `jwksFile`), tokens
 * it signs, and the forgeries an attacker would try. Tokens are built with
 * node:crypto, byte by byte, so a forgery is exactly what it says.
 */
export class JwtSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid = 'matrix-rsa-1';

  constructor(readonly issuer: string, readonly audience: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  jwks(): { keys: object[] } {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** The claims of a good token for `scope`, with overrides. */
  claims(scope: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { sub: 'matrix-caller', iss: this.issuer, aud: this.audience, iat: now(), exp: now() + 900, scope, ...overrides };
  }

  /** An RS256 token signed with the private key. */
  sign(claims: Record<string, unknown>): string {
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${b64(claims)}`;
    return `${input}.${rsaSign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }

  /** An unsigned token (`alg: none`). */
  unsigned(claims: Record<string, unknown>): string {
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  }

  /** HS256 with the public key's PEM as the HMAC secret: the algorithm-confusion attack. */
  hmacWithPublicKey(claims: Record<string, unknown>): string {
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: this.kid })}.${b64(claims)}`;
    const pem = this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  }

  /** A token signed for `signedClaims`, its payload then swapped for `claims` (the signature kept). */
  tampered(signedClaims: Record<string, unknown>, claims: Record<string, unknown>): string {
    const [header, , signature] = this.sign(signedClaims).split('.');
    return `${header}.${b64(claims)}.${signature}`;
  }
}
