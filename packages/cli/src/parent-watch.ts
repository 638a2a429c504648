/**
 * Under npm (`npx ponte serve`, an npm script), npm passes SIGTERM only to its direct child, the
 * `sh -c` it runs the command in, and that shell dies without passing it on: the server would be
 * left running, orphaned. So when npm started this process, it sends itself SIGTERM (a normal
 * drain) once its parent is gone. Outside npm nothing is watched: `ponte serve &` from a script
 * that then exits must keep serving.
 */
export function stopWhenNpmParentExits(env: NodeJS.ProcessEnv = process.env, intervalMs = 500): void {
  if (env['npm_command'] === undefined && env['npm_lifecycle_event'] === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, intervalMs);
  timer.unref();
}
