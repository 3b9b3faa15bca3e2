/** Entry point of the bundled `mlc` (see scripts/build-cli.mjs). */
import { whenStdoutMade, writeStderr } from './output';
import { answerVersionRequest, isVersionRequest } from './version';

// `mlc ... | head` closes the pipe early: that is the reader's choice, not
// an error. Set on process.stdout when it is first made: the Reporter writes
// by fs.writeSync (output.ts), and most runs never make the stream.
whenStdoutMade(stream =>
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(0);
    }
    throw error;
  })
);

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
    writeStderr(`mlc: error: internal error: ${String(reason)}\n`);
    process.exitCode = 1;
  }
);
