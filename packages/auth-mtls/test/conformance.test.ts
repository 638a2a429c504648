/**
 * The client-certificate authenticator passes the suite every authenticator
 * passes (`@ponte/testing`): the one a server built from this plugin's
 * options provides, called with the certificate a TLS listener verified (or
 * not), as protocols put it in the request context.
 */
import { after } from 'node:test';
import { resolveAllTokens, Tokens, type PeerCertificate } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { authenticatorConformance } from '@ponte/testing';

const server = await startTestServer({ config: { plugins: [{ package: '@ponte/auth-mtls', options: { principals: [{ subject: { CN: 'svc-a', O: 'Acme' }, scopes: ['infer:purchase'] }] } }] } });
after(() => server.stop());

const [authenticator] = resolveAllTokens(server.container, Tokens.Authenticator);

function certificate(subject: Record<string, string>, authorized: boolean): PeerCertificate {
  return {
    subject,
    subjectDN: Object.entries(subject).map(([k, v]) => `${k}=${v}`).join(','),
    issuer: { CN: 'Test CA' },
    fingerprint256: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
    serialNumber: '01',
    validFrom: 'Jan  1 00:00:00 2026 GMT',
    validTo: 'Jan  1 00:00:00 2027 GMT',
    authorized,
  };
}

authenticatorConformance('@ponte/auth-mtls', {
  authenticator: authenticator!,
  valid: { peer: certificate({ O: 'Acme', OU: 'payments', CN: 'svc-a' }, true) },
  invalid: [{ peer: certificate({ O: 'Acme', CN: 'svc-b' }, true) }, { peer: certificate({ O: 'Other', CN: 'svc-a' }, true) }],
  // Bearer credentials, or a certificate the listener could not verify, are someone else's to judge.
  foreign: { headers: { authorization: 'Bearer some-token-for-another-scheme' }, peer: certificate({ O: 'Acme', CN: 'svc-a' }, false) },
});
