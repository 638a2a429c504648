import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Tests make their certificates with the openssl CLI, in a temp folder, and never commit them.
function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A test certificate authority (EC P-256, valid 2 days): `<name>.pem` and `<name>.key` in `dir`. */
export function makeTestCa(dir: string, name: string): void {
  writeFileSync(join(dir, `${name}.cnf`), `[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=${name}\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n`);
  openssl(dir, ['req', '-x509', '-config', `${name}.cnf`, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2']);
}

/**
 * A certificate signed by the test CA `ca`, written as `<name>.pem` and
 * `<name>.key`: a server one for localhost and 127.0.0.1, or a client one
 * with the given subject (`/CN=svc-a/O=payments`).
 */
export function issueTestCertificate(dir: string, ca: string, name: string, subject: string, usage: 'server' | 'client'): void {
  writeFileSync(join(dir, `${name}.ext`), usage === 'server' ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}
