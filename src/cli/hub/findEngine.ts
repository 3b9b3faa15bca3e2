/** Which container engine a session node has: the first of apptainer, singularity, podman on PATH. */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { ONDEMAND_ENGINES, type OndemandEngine } from './ondemandScript';

/** The first engine found on `searchPath` (PATH's value), in the order facilities prefer. */
export function findEngine(searchPath: string): OndemandEngine {
  const dirs = searchPath
    .split(path.delimiter)
    .filter(dir => dir.startsWith('/'));
  for (const engine of ONDEMAND_ENGINES) {
    if (dirs.some(dir => Private.isExecutable(path.join(dir, engine)))) {
      return engine;
    }
  }
  throw new UserError(
    `no container engine (${ONDEMAND_ENGINES.join(', ')}) is on PATH`,
    'run this where the sessions run, or pass --engine'
  );
}

namespace Private {
  export function isExecutable(file: string): boolean {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  }
}
