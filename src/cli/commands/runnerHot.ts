/**
 * What `mlc enter` and `mlc info` do once their command line is parsed:
 * shared by commander's verbs (runner.ts) and the hand-dispatched path of
 * these two verbs (../hotPath.ts), so both answer alike. Each loads its
 * work modules when it runs, so the hand path sets up nothing else of the
 * runner group.
 */
import type { ICliContext } from '../context';

/** `mlc enter [COMMAND...]`: the shell's (or the command's) status becomes mlc's. */
export async function runEnter(
  context: ICliContext,
  command: string[]
): Promise<void> {
  const { requireState, workDir } = await import('../runner/stateFile');
  const { enter } = await import('../runner/enter');
  const state = requireState(workDir(context.cwd));
  process.exitCode = await enter(state, command, context.env, [], message =>
    context.reporter.warning(message)
  );
}

/** `mlc info IMAGE [--catalogue FILE]`. */
export async function runInfo(
  context: ICliContext,
  image: string,
  catalogue: string | undefined
): Promise<void> {
  const { loadCatalogue, oneImage } = await import('../runner/catalogueSource');
  const { formatImageInfo, imageInfo } = await import('../runner/imageInfo');
  const chosen = oneImage(
    loadCatalogue(catalogue, context.env, context.cwd),
    image
  );
  const info = await imageInfo(chosen, context.env);
  context.reporter.result('info', info, formatImageInfo(info));
}
