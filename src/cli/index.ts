/** Entry point of the bundled `mlc` (see scripts/build-cli.mjs). */
import { answerVersionRequest, isVersionRequest } from './version';

// `mlc ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(0);
  }
  throw error;
});

const argv = process.argv.slice(2);
// `mlc --version` is answered before commander and the commands are loaded
// (main is set up only when imported: scripts/build-cli.mjs).
(isVersionRequest(argv)
  ? Promise.resolve(answerVersionRequest(argv))
  : import('./main').then(({ main }) => main(argv))
).then(
  code => {
    process.exitCode = code;
  },
  reason => {
    process.stderr.write(`mlc: error: internal error: ${String(reason)}\n`);
    process.exitCode = 1;
  }
);
