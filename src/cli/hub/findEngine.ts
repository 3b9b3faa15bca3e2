/** Which container engine a session node has: the first of apptainer, singularity, podman on PATH. */
import * as path from 'path';
import { UserError } from '../errors';
import { findExecutable } from '../runner/engine';
import { ONDEMAND_ENGINES, type OndemandEngine } from './ondemandScript';

/** The first engine found on `searchPath` (PATH's value), in the order facilities prefer. */
export function findEngine(searchPath: string): OndemandEngine {
  // Only absolute entries: a relative one means the session's cwd.
  const absolute = searchPath
    .split(path.delimiter)
    .filter(dir => dir.startsWith('/'))
    .join(path.delimiter);
  for (const engine of ONDEMAND_ENGINES) {
    if (findExecutable(engine, { PATH: absolute })) {
      return engine;
    }
  }
  throw new UserError(
    `no container engine (${ONDEMAND_ENGINES.join(', ')}) is on PATH`,
    'run this where the sessions run, or pass --engine'
  );
}
