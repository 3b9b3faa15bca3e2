/**
 * What `mlc setup` set up in a work directory, as a JSON file there
 * (`.mlc-container.json`): read and validated, never sourced or executed
 * (the seed sourced a shell file from the current directory). Containers
 * and sandboxes are removed only when they match what this file recorded.
 */
import * as z from 'zod/mini';
import { parseJson, type ParseResult } from '../parseJson';
import {
  ENGINES,
  isSandboxEngine,
  WORK_STATE_FILE,
  WORK_STATE_VERSION
} from './workNames';

export {
  ENGINES,
  isSandboxEngine,
  LABEL_SETUP_ID,
  LABEL_WORKDIR,
  LABEL_WORKDIR_ID,
  WORK_STATE_FILE,
  WORK_STATE_VERSION,
  type Engine
} from './workNames';

const nonEmpty = z.string().check(z.minLength(1));
const bindPath = z
  .string()
  .check(
    z.regex(/^\/[^:,\0\n]*$/, 'expected an absolute path without ":" or ","')
  );

export const workStateSchema = z.object({
  schemaVersion: z.literal(WORK_STATE_VERSION),
  /** mlc's version that wrote it. */
  writtenBy: z.string(),
  engine: z.enum(ENGINES),
  /** The physical work directory and its id (sha256 of that path, hex). */
  workdir: nonEmpty,
  workdirId: z.string().check(z.regex(/^[a-f0-9]{64}$/)),
  /** Random id of this setup, also a label of its container. */
  setupId: z.string().check(z.regex(/^[a-f0-9]{32}$/)),
  /** ISO 8601 time of the setup (UTC), as `toISOString` writes it: a real date. */
  setupAt: z
    .string()
    .check(
      z.refine(
        value =>
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/.test(value) &&
          !Number.isNaN(Date.parse(value)),
        'expected an ISO 8601 UTC time such as 2024-01-02T03:04:05.000Z'
      )
    ),
  image: z.object({
    name: nonEmpty,
    tag: nonEmpty,
    reference: nonEmpty,
    digest: z.nullable(z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/))),
    compressedSize: z.nullable(z.number()),
    created: z.nullable(z.string()),
    lastUpdated: z.nullable(z.string())
  }),
  /** Container engines: the container's name and full id. */
  container: z.optional(
    z.object({
      name: z.string().check(z.regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,200}$/)),
      id: z.string().check(z.regex(/^[a-f0-9]{64}$/))
    })
  ),
  /** Apptainer/Singularity: the sandbox directory, relative to the work dir, one component. */
  sandbox: z.optional(
    z.object({
      directory: z.string().check(z.regex(/^\.mlc-sandbox-[a-z0-9._-]+$/))
    })
  ),
  /** `-B` mounts: absolute paths without ':' or ',' (the engines' separators). */
  binds: z.array(z.object({ source: bindPath, target: bindPath })),
  gpu: z.enum(['none', 'cdi', 'gpus', 'nv'])
});
export type WorkState = z.infer<typeof workStateSchema>;

/** Parse the state file; a newer schema is refused with its own message. */
export function parseWorkState(text: string): ParseResult<WorkState> {
  const parsed = parseJson(workStateSchema, WORK_STATE_FILE, text, {
    known: WORK_STATE_VERSION,
    message: (found, raw) => {
      const by = raw.writtenBy;
      return `${WORK_STATE_FILE} was written by a newer mlc${typeof by === 'string' ? ` (${by.slice(0, 40)})` : ''} (schema ${found}, this mlc reads ${WORK_STATE_VERSION}); upgrade jupyterlab-ml-containers`;
    }
  });
  if (!parsed.ok) {
    return parsed;
  }
  const state = parsed.value;
  if ((state.container === undefined) === (state.sandbox === undefined)) {
    return {
      ok: false,
      error: `${WORK_STATE_FILE}: records neither or both a container and a sandbox`
    };
  }
  if (isSandboxEngine(state.engine) !== (state.sandbox !== undefined)) {
    return {
      ok: false,
      error: `${WORK_STATE_FILE}: engine ${state.engine} does not match what it records`
    };
  }
  return { ok: true, value: state };
}

/**
 * The container name for an image in a work directory: readable, and
 * unique per directory (a digest of its physical path), so two work
 * directories never share a container. `generation` > 0 for updates.
 */
export function containerName(
  imageName: string,
  tag: string,
  workdirId: string,
  generation: number
): string {
  const base = `mlc-${imageName}-${tag}`
    .replace(/[^a-zA-Z0-9_.-]/g, '_')
    .slice(0, 100);
  return `${base}-${workdirId.slice(0, 12)}${generation > 0 ? `-u${generation}` : ''}`;
}

/** The sandbox directory name for an image (one component, under the work dir). */
export function sandboxDirectory(
  imageName: string,
  tag: string,
  generation: number
): string {
  const base = `${imageName}-${tag}`
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')
    .slice(0, 100);
  return `.mlc-sandbox-${base}${generation > 0 ? `-u${generation}` : ''}`;
}

/** Where the ML images keep their image env (conda-meta/history, pip). */
export const IMAGE_ENV_PREFIX = '/opt/conda';
