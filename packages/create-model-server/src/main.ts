#!/usr/bin/env node
import 'reflect-metadata';
import { completeAnswers } from './answers.js';
import { parseFlags, USAGE } from './flags.js';
import { finalMessage } from './final-message.js';
import { linesProgress, spinnerProgress } from './progress.js';
import { askMissing, Cancelled } from './prompts.js';
import { scaffold } from './scaffold.js';

async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    process.stderr.write(`create-model-server: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // Questions only on a terminal; a script (or --yes) gets the defaults for what its flags leave out.
  const interactive = !flags.yes && process.stdin.isTTY === true && process.stdout.isTTY === true;
  try {
    let given = flags.given;
    if (interactive) {
      const { intro } = await import('@clack/prompts');
      intro('create-model-server: a new Ponte prediction service');
      given = await askMissing(given);
    }
    const answers = completeAnswers(given);
    const result = await scaffold(answers, interactive ? await spinnerProgress() : linesProgress((s) => process.stdout.write(s)));
    const message = finalMessage(result, answers);
    if (interactive) {
      const { outro } = await import('@clack/prompts');
      outro('Done.');
    }
    // Plain lines, not a box: the key must copy as one piece on any terminal width.
    process.stdout.write(`\n${message}\n`);
    return 0;
  } catch (e) {
    if (e instanceof Cancelled) return 1;
    process.stderr.write(`create-model-server: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof RangeError ? 2 : 1;
  }
}

// `create-model-server … | head` closing the pipe early is not a failure of the scaffold.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  process.stderr.write(`create-model-server: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
