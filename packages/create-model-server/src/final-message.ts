import type { Answers } from './answers.js';
import { displayDir, type Scaffolded } from './scaffold.js';

/** What to do next: the commands, and the API key — shown this once. */
export function finalMessage(result: Scaffolded, answers: Answers): string {
  const dir = displayDir(result.dir);
  const curlKey = result.key !== undefined ? ` -H "Authorization: Bearer ${result.key.key}"` : '';
  const lines = [
    `Created ${answers.name} in ${result.dir} (${result.files.length} files): model ${result.model.name}${result.profiled ? ' with its reference profile' : ''}.`,
    '',
    'Next:',
    `  cd ${dir}`,
    '  npm install',
    '  npm start          # http://127.0.0.1:8080, Swagger UI at /docs',
    '  npm test           # the custom plugin\'s test',
    '',
    `Then: curl -s localhost:8080/v2/models/${result.model.name}${curlKey}`,
  ];
  if (answers.store === 'postgres') lines.push('', 'The prediction log is in PostgreSQL: export DATABASE_URL=postgres://… before npm start.');
  if (result.key !== undefined) {
    lines.push(
      '',
      `API key "${result.key.id}" (${result.key.scopes.join(', ')}) — shown once: ponte.yaml keeps only its hash, so save it now:`,
      '',
      `  ${result.key.key}`,
      '',
      'Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"; without it the service answers 401.',
    );
  }
  lines.push('', 'Ship it: docker build -t ' + answers.name + ' .   then   kubectl apply -f k8s/   (see README.md)');
  return lines.join('\n');
}
