/**
 * `mlc env list`: the envs whose kernels are registered (their kernel.json
 * names the env), and those found in the given directories. Only cheap
 * checks here; `mlc env check` looks closer.
 */
import * as fs from 'fs';
import {
  ENV_RECORD_FILE,
  type IEnvProblem,
  type IEnvSummary
} from '../../core/envRecord';
import type { ICliContext } from '../context';
import {
  danglingProblem,
  findDanglingKernels,
  type IDanglingKernel,
  type IDanglingReads
} from './danglingKernels';
import { condaInstallerName } from './condaFinder';
import { existingEnvPath, envSummary } from './existing';
import {
  kernelDataDir,
  listEnvKernels,
  readKernel,
  type IRegisteredKernel
} from './kernel';
import { readEnvRecord } from './layout';
import { BASE_LINK } from './mirror';
import { findLeftovers, leftoverProblem } from './leftovers';
import { lifeFindings } from './lifeCheck';
import { shQuote } from '../../core/quote';

export function listEnvs(context: ICliContext, dirs: string[]): IEnvSummary[] {
  const dataDir = Private.dataDirOrNull(context);
  const reads = new Private.Reads(dataDir);
  const kernels = dataDir
    ? listEnvKernels(dataDir, name => reads.kernel(name))
    : [];
  const kernelOf = new Map(
    kernels.map(kernel => [kernel.facts?.envPrefix ?? '', kernel])
  );
  const prefixes: string[] = kernels.map(
    kernel => kernel.facts?.envPrefix ?? ''
  );
  for (const dir of dirs) {
    prefixes.push(...Private.envsIn(existingEnvPath(dir, context.cwd), reads));
  }
  if (dataDir) {
    prefixes.push(...Private.lostKernels(prefixes, reads));
  }
  const dangling = Private.byPrefix(
    dataDir ? findDanglingKernels(dataDir, undefined, reads) : []
  );
  const seen = new Set<string>();
  const envs: IEnvSummary[] = [];
  for (const prefix of prefixes) {
    if (!seen.has(prefix)) {
      seen.add(prefix);
      envs.push(
        Private.summarize(
          prefix,
          kernelOf.get(prefix) ?? null,
          dataDir,
          dangling.get(prefix) ?? [],
          reads
        )
      );
    }
  }
  // By the prefixes' UTF-16 code units (byte order for ASCII paths), the
  // same on every machine: localeCompare would start ICU's collator, ~6 ms of CPU.
  return envs.sort((a, b) =>
    a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0
  );
}

namespace Private {
  /**
   * Each record, kernel.json and envs' folder read once per listing: the
   * kernel listing, the search for lost and dangling kernels, the leftovers
   * and the summaries ask for the same files (with 50 envs, 150 record
   * reads, 250 kernel reads and 50 listings of one folder before).
   */
  export class Reads implements IDanglingReads {
    constructor(readonly dataDir: string | null) {}

    /** The kernel `name` as readKernel finds it (null: none, or not valid). */
    kernel(name: string): IRegisteredKernel | null {
      if (!this.dataDir) {
        return null;
      }
      let kernel = this.kernels.get(name);
      if (kernel === undefined) {
        kernel = readKernel(this.dataDir, name);
        this.kernels.set(name, kernel);
      }
      return kernel;
    }

    /** The names in `dir` ([] when it cannot be listed), as findLeftovers reads them. */
    names(dir: string): string[] {
      let names = this.listings.get(dir);
      if (names === undefined) {
        try {
          names = fs.readdirSync(dir);
        } catch {
          names = [];
        }
        this.listings.set(dir, names);
      }
      return names;
    }

    record(prefix: string): ReturnType<typeof readEnvRecord> {
      let read = this.records.get(prefix);
      if (!read) {
        read = readEnvRecord(prefix);
        this.records.set(prefix, read);
      }
      return read;
    }

    /** The base's conda installer's name (condaFinder), looked for once per base. */
    condaInstaller(basePrefix: string): string | null {
      let name = this.installers.get(basePrefix);
      if (name === undefined) {
        name = condaInstallerName(basePrefix);
        this.installers.set(basePrefix, name);
      }
      return name;
    }

    /** Whether kernel `name` is registered (readKernel found a valid one). */
    kernelRegistered(name: string): boolean {
      return this.kernel(name) !== null;
    }

    private readonly records = new Map<
      string,
      ReturnType<typeof readEnvRecord>
    >();
    private readonly kernels = new Map<string, IRegisteredKernel | null>();
    private readonly listings = new Map<string, string[]>();
    private readonly installers = new Map<string, string | null>();
  }

  export function dataDirOrNull(context: ICliContext): string | null {
    try {
      return kernelDataDir(context);
    } catch {
      return null;
    }
  }

  /**
   * Envs beside the listed ones that should have a kernel and have none (a
   * create interrupted between its rename and its kernel registration):
   * shown with `kernel-missing`, so `mlc env check --fix` is offered.
   */
  export function lostKernels(listed: string[], reads: Reads): string[] {
    const parents = new Set(
      listed
        .filter(Boolean)
        .map(prefix => prefix.slice(0, prefix.lastIndexOf('/')) || '/')
    );
    const found: string[] = [];
    for (const parent of parents) {
      for (const prefix of envsIn(parent, reads)) {
        const record = reads.record(prefix);
        if (
          record.ok &&
          record.value.prefix === prefix &&
          record.value.kernelName &&
          !reads.kernelRegistered(record.value.kernelName)
        ) {
          found.push(prefix);
        }
      }
    }
    return found;
  }

  /** `dir` itself if it is an env, else its children that are. */
  export function envsIn(dir: string, reads: Reads): string[] {
    if (fs.existsSync(`${dir}/${ENV_RECORD_FILE}`)) {
      return [dir];
    }
    return reads
      .names(dir)
      .filter(
        name =>
          !name.startsWith('.mlc-tmp.') &&
          fs.existsSync(`${dir}/${name}/${ENV_RECORD_FILE}`)
      )
      .map(name => `${dir}/${name}`);
  }

  export function byPrefix(
    kernels: IDanglingKernel[]
  ): Map<string, IDanglingKernel[]> {
    const map = new Map<string, IDanglingKernel[]>();
    for (const kernel of kernels) {
      map.set(kernel.envPrefix, [...(map.get(kernel.envPrefix) ?? []), kernel]);
    }
    return map;
  }

  /** The summary of an env known only by its kernel (no readable record): what the kernel says. */
  export function kernelOnly(
    prefix: string,
    kernel: IRegisteredKernel | null,
    problems: IEnvProblem[]
  ): IEnvSummary {
    const facts = kernel?.facts;
    return {
      name: facts?.envName ?? '',
      prefix,
      basePrefix: facts?.prefix ?? '',
      baseImage: facts?.image ?? '',
      python: facts?.python ?? '',
      createdAt: '',
      kernelName: kernel?.name ?? null,
      problems
    };
  }

  export function summarize(
    prefix: string,
    kernel: IRegisteredKernel | null,
    dataDir: string | null,
    dangling: IDanglingKernel[],
    reads: Reads
  ): IEnvSummary {
    const record = reads.record(prefix);
    const quoted = shQuote(prefix, 'always');
    const leftovers = leftoverProblem(
      prefix,
      findLeftovers(prefix, dir => reads.names(dir))
    );
    if (!record.ok && dangling.length) {
      // A kernel whose env is gone (deleted by hand): `env check --fix` unregisters it.
      return kernelOnly(prefix, dangling[0].kernel, [
        ...dangling.map(danglingProblem),
        ...(leftovers ? [leftovers] : [])
      ]);
    }
    if (!record.ok) {
      // A kernel whose env is no env any more, unproven: shown, left alone.
      return kernelOnly(prefix, kernel, [
        {
          code: 'env-unreadable',
          message: `the kernel ${kernel?.name ?? ''} belongs to ${prefix}, which is no mlc env any more (${record.error})`,
          fixable: false,
          hint: `unregister the kernel: mlc env remove ${quoted}`
        },
        ...(leftovers ? [leftovers] : [])
      ]);
    }
    // Kernels of an earlier env at this path, beside this one.
    const problems: IEnvProblem[] = dangling.map(danglingProblem);
    const check = `run: mlc env check ${quoted}`;
    if (!fs.existsSync(`${prefix}/${BASE_LINK}/bin`)) {
      problems.push({
        code: 'base-missing',
        message: `the base ${record.value.basePrefix} is not reachable`,
        fixable: false,
        hint: check
      });
    } else if (!fs.existsSync(`${prefix}/bin/python${record.value.python}`)) {
      problems.push({
        code: 'no-interpreter',
        message: `bin/python${record.value.python} is missing`,
        fixable: true,
        hint: check
      });
    }
    const kernelName = record.value.kernelName;
    if (kernelName && dataDir && !reads.kernelRegistered(kernelName)) {
      problems.push({
        code: 'kernel-missing',
        message: `the kernel ${kernelName} is not registered`,
        fixable: true,
        hint: check
      });
    }
    if (leftovers) {
      problems.push(leftovers);
    }
    const life = lifeFindings(prefix, record.value);
    return {
      ...envSummary(
        record.value,
        prefix,
        [...problems, ...life.problems],
        base => reads.condaInstaller(base)
      ),
      ...(life.imageChange ? { imageChange: life.imageChange } : {})
    };
  }
}
