/** Entry point of the bundled `mlc` (see scripts/build-cli.mjs). */
import { main } from './main';

// `mlc ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(0);
  }
  throw error;
});

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  reason => {
    process.stderr.write(`mlc: error: internal error: ${String(reason)}\n`);
    process.exitCode = 1;
  }
);
