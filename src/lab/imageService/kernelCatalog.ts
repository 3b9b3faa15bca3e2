/**
 * Sorts the server's kernel specs into what the launcher section shows: the
 * image's two kernels, the user's extended envs, and every other kernel with
 * a verdict on whether it runs an interpreter of this image.
 *
 * Pure: reads plain spec objects, so it is tested without a browser.
 */
import {
  IMAGE_KERNEL_NAMES,
  pythonMinor,
  readImageFacts,
  type IKernelImageFacts
} from '../../core/kernelspec';
import type { IEnvSummary } from '../../core/envRecord';
import { isWithin, normalizeAbsolute } from '../../core/validate';
import type {
  IEnvKernel,
  IImageKernel,
  IKernelCatalog,
  IKernelEntry,
  InterpreterVerdict
} from '../tokens';

export type {
  IEnvKernel,
  IImageKernel,
  IKernelCatalog,
  IKernelEntry,
  InterpreterVerdict,
  IOtherKernel
} from '../tokens';

/** The fields of a kernel spec read here (`KernelSpec.ISpecModel` has them all). */
export interface ISpecLike {
  readonly name: string;
  readonly display_name: string;
  readonly argv: readonly string[];
  readonly resources?: { readonly [key: string]: string | undefined };
  readonly metadata?: unknown;
}

export const EMPTY_CATALOG: IKernelCatalog = {
  imageKernels: [],
  envKernels: [],
  danglingKernels: [],
  otherKernels: [],
  facts: null
};

/** Sort the specs (the `kernelspecs` map of `/api/kernelspecs`). */
export function catalogKernels(
  specs: { readonly [name: string]: ISpecLike | undefined } | null | undefined
): IKernelCatalog {
  if (!specs) {
    return EMPTY_CATALOG;
  }
  const candidates: { isolated: IImageKernel[]; usersite: IImageKernel[] } = {
    isolated: [],
    usersite: []
  };
  const envKernels: IEnvKernel[] = [];
  const unclaimed: ISpecLike[] = [];
  const byName = Object.keys(specs)
    .sort()
    .map(name => specs[name])
    .filter((spec): spec is ISpecLike => !!spec);

  for (const spec of byName) {
    const facts = readImageFacts(spec.metadata);
    if (facts?.role === 'extended-env') {
      envKernels.push({
        ...Private.entry(spec),
        envName: facts.envName || spec.display_name || spec.name,
        envPrefix: facts.envPrefix ?? '',
        onOtherBase: false
      });
    } else if (facts) {
      candidates[facts.role].push({
        ...Private.entry(spec),
        role: facts.role,
        facts
      });
    } else {
      unclaimed.push(spec);
    }
  }

  // One kernel per role: the one under the seed's name (`python3`,
  // `python3-usersite`), else the first by name; copies under other names are
  // listed with the other kernels.
  const imageKernels: IImageKernel[] = [];
  for (const role of ['isolated', 'usersite'] as const) {
    const chosen =
      candidates[role].find(
        kernel => kernel.name === IMAGE_KERNEL_NAMES[role]
      ) ?? candidates[role][0];
    if (chosen) {
      imageKernels.push(chosen);
    }
    for (const extra of candidates[role]) {
      if (extra !== chosen) {
        unclaimed.push(specs[extra.name] as ISpecLike);
      }
    }
  }
  const facts = imageKernels.length ? imageKernels[0].facts : null;

  for (const env of envKernels) {
    const base = readImageFacts(specs[env.name]?.metadata)?.prefix;
    env.onOtherBase = !!(
      facts?.prefix &&
      base &&
      normalizeAbsolute(base) !== normalizeAbsolute(facts.prefix)
    );
  }
  envKernels.sort((a, b) => a.envName.localeCompare(b.envName));

  const otherKernels = unclaimed
    .map(spec => ({
      ...Private.entry(spec),
      ...interpreterOf(spec.argv, facts)
    }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  return { imageKernels, envKernels, danglingKernels: [], otherKernels, facts };
}

/**
 * The catalog without the env kernels `mlc` reported dangling
 * (src/cli/env/danglingKernels.ts): a kernel
 * whose env summary says `env-missing` (its env is gone), or one beside a
 * live env at the same path that has another kernel or none and reports
 * `kernel-dangling`. Kernels mlc did not report on stay.
 */
export function withoutDanglingKernels(
  catalog: IKernelCatalog,
  reports: ReadonlyMap<string, IEnvSummary>
): IKernelCatalog {
  const dangling = catalog.envKernels.filter(kernel => {
    const report = reports.get(kernel.envPrefix);
    if (!kernel.envPrefix || !report) {
      return false;
    }
    const codes = report.problems.map(problem => problem.code);
    return codes.includes('env-missing')
      ? true
      : codes.includes('kernel-dangling') && report.kernelName !== kernel.name;
  });
  if (dangling.length === 0) {
    return catalog;
  }
  return {
    ...catalog,
    envKernels: catalog.envKernels.filter(kernel => !dangling.includes(kernel)),
    danglingKernels: dangling
  };
}

/** Which interpreter `argv` starts, and whether this image has it. */
export function interpreterOf(
  argv: readonly string[],
  facts: Pick<IKernelImageFacts, 'prefix' | 'python'> | null
): { interpreter: string; verdict: InterpreterVerdict } {
  let program = argv[0] ?? '';
  if (Private.isEnv(program)) {
    // `env [-opts] [NAME=value ...] program`: the program decides.
    program =
      argv
        .slice(1)
        .find(word => !word.startsWith('-') && !word.includes('=')) ?? '';
  }
  if (!facts || !program) {
    return { interpreter: program, verdict: 'unknown' };
  }
  if (!program.includes('/')) {
    if (!Private.isEnv(argv[0] ?? '')) {
      return { interpreter: program, verdict: 'unknown' };
    }
    const minor = pythonMinor(facts.python);
    if (minor && program === `python${minor}`) {
      return { interpreter: program, verdict: 'image' };
    }
    // Another Python by name: not the one this image's kernels pin.
    return {
      interpreter: program,
      verdict: /^python/.test(program) ? 'foreign' : 'unknown'
    };
  }
  if (!program.startsWith('/')) {
    return { interpreter: program, verdict: 'unknown' };
  }
  const inside =
    !!facts.prefix &&
    isWithin(normalizeAbsolute(program), normalizeAbsolute(facts.prefix));
  return { interpreter: program, verdict: inside ? 'image' : 'foreign' };
}

namespace Private {
  export function entry(spec: ISpecLike): IKernelEntry {
    const resources = spec.resources ?? {};
    return {
      name: spec.name,
      displayName: spec.display_name || spec.name,
      logoUrl:
        resources['logo-svg'] ||
        resources['logo-64x64'] ||
        resources['logo-32x32'] ||
        ''
    };
  }

  /** `/usr/bin/env`, `/bin/env`, or plain `env`. */
  export function isEnv(program: string): boolean {
    return program === 'env' || /^\/(usr\/)?bin\/env$/.test(program);
  }
}
