/**
 * The one line the env commands show for a run of mlc that failed before
 * mlc could report (no terminal, no mlc, a bad setting, a timeout): what
 * went wrong and what to do.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { MlcRunError } from './terminalTransport';

export function describeRunError(
  error: unknown,
  trans: TranslationBundle
): string {
  if (!(error instanceof MlcRunError)) {
    return error instanceof Error ? error.message : String(error);
  }
  const failure = error.failure;
  switch (failure.kind) {
    case 'bad-command-setting':
      return failure.problem.code === 'empty'
        ? trans.__(
            'the mlcCommand setting is empty; set "mlc command" in Settings → ML Containers to a plain path such as /opt/conda/bin/mlc'
          )
        : trans.__(
            'the mlcCommand setting word "%1" has characters a shell would interpret; set "mlc command" in Settings → ML Containers to a plain path such as /opt/conda/bin/mlc',
            failure.problem.word
          );
    case 'start-failed':
      return trans.__(
        'no terminal session could be started on the server (%1); run the command in a terminal of your own',
        failure.reason
      );
    case 'not-found':
      return trans.__(
        '"%1" was not found in the server\'s terminal (the shell said: %2); install jupyterlab-ml-containers in the environment JupyterLab runs in, or set "mlc command" in Settings → ML Containers to the full path of mlc',
        failure.command,
        failure.shellLine
      );
    case 'launcher-error':
      return failure.line;
    case 'closed':
      return trans.__(
        'the terminal session closed before mlc finished; try again'
      );
    case 'timeout':
      return trans.__(
        'mlc did not finish within %1 s (its last output: "%2"); run the command in a terminal to see what it is doing',
        failure.seconds,
        failure.lastLine
      );
  }
}
