/** Entry point of the bundled `mlc` (see scripts/build-cli.mjs). */
import { main } from './main';

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  reason => {
    process.stderr.write(`mlc: error: internal error: ${String(reason)}\n`);
    process.exitCode = 1;
  }
);
