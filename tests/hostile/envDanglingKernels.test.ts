/**
 * Dangling env kernels against hostile kernel directories, as the
 * unprivileged test user: `mlc env check --all --fix` unregisters only the
 * kernels mlc registered (a creation id in their metadata) whose env is
 * gone; a kernel without our id, a kernel directory that is a link, a
 * kernel.json that is a link, a hostile env prefix and an env on a file
 * system that is not there are reported at most, and never removed or
 * followed.
 */
import * as fs from 'fs';
import type {
  IEnvCheckSummary,
  IEnvCreateResult,
  IEnvListResult
} from '../../src/core/envRecord';
import {
  mlcAsUser,
  resultData,
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import { testUser } from '../harness/user';

const fixture = useEnvFixture('env-dangling-hostile');
let base: string;
let places: IUserPlaces;
let envs: string;
let kernels: string;

beforeAll(() => {
  ({ base, places } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
  kernels = userDir(`${places.data}/kernels`);
});

function createEnv(prefix: string, extra: string[] = []): IEnvCreateResult {
  const run = mlcAsUser(
    ['env', 'create', prefix, '--base', base, '--json', ...extra],
    places
  );
  expect(run.stderr).toBe('');
  return resultData<IEnvCreateResult>(run);
}

/** A kernel.json as mlc writes one for an env at `envPrefix`, with or without a creation id. */
function envKernelJson(envPrefix: string, creationId: string | null): string {
  return JSON.stringify({
    argv: [`${envPrefix}/bin/python3`, '-m', 'ipykernel_launcher'],
    display_name: 'hand made',
    language: 'python',
    metadata: {
      ml_containers: {
        role: 'extended-env',
        prefix: base,
        envPrefix,
        envName: 'x',
        ...(creationId ? { envCreationId: creationId } : {})
      }
    }
  });
}

/** A directory the test user owns, with `files`. */
function userTree(dir: string, files: Record<string, string>): string {
  userDir(dir);
  const user = testUser();
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(`${dir}/${name}`, text);
    fs.chownSync(`${dir}/${name}`, user.uid, user.gid);
  }
  return dir;
}

function symlinkAsUser(target: string, link: string): void {
  fs.symlinkSync(target, link);
  const user = testUser();
  fs.lchownSync(link, user.uid, user.gid);
}

function listed(): IEnvListResult {
  const run = mlcAsUser(['env', 'list', '--json'], places);
  expect(run.code).toBe(0);
  return resultData<IEnvListResult>(run);
}

function problemCodes(prefix: string): string[] {
  const env = listed().envs.find(candidate => candidate.prefix === prefix);
  return (env?.problems ?? []).map(problem => problem.code);
}

describe('mlc env check --all --fix on dangling kernels', () => {
  it('unregisters the kernel of an env deleted by hand, and leaves every kernel that is not proven ours', () => {
    const gone = createEnv(`${envs}/gone`);
    fs.rmSync(`${envs}/gone`, { recursive: true });

    // A kernel of an env gone too, but without mlc's creation id (made by hand, or by an old mlc).
    const noId = `${envs}/no-id`;
    userTree(`${kernels}/no-id-kernel`, {
      'kernel.json': envKernelJson(noId, null)
    });

    // A kernel directory that is a link to a precious folder holding a kernel.json with our id.
    const precious = userTree(`${fixture.scratch}/precious`, {
      'kernel.json': envKernelJson(`${envs}/linked-env`, 'ab'.repeat(16)),
      'thesis.tex': '\\documentclass{article}\n'
    });
    const preciousSum = treeChecksum(precious);
    symlinkAsUser(precious, `${kernels}/linked-kernel`);

    // A real kernel directory whose kernel.json is a link into that folder.
    userDir(`${kernels}/linked-json`);
    symlinkAsUser(
      `${precious}/kernel.json`,
      `${kernels}/linked-json/kernel.json`
    );

    // A kernel whose env prefix is hostile text (not absolute and normal).
    userTree(`${kernels}/hostile-prefix`, {
      'kernel.json': envKernelJson(`${envs}/a/../../x`, 'cd'.repeat(16))
    });

    // An env on a file system that is not there: its folder is gone as well.
    const far = createEnv(`${envs}/mount/far`);
    fs.rmSync(`${envs}/mount`, { recursive: true });

    expect(problemCodes(`${envs}/gone`)).toEqual(['env-missing']);
    const goneProblem = listed().envs.find(env => env.prefix === `${envs}/gone`)
      ?.problems[0];
    expect(goneProblem).toMatchObject({ fixable: true });
    expect(goneProblem?.hint).toContain('--fix');
    expect(problemCodes(noId)).toEqual(['env-missing']);
    expect(problemCodes(`${envs}/mount/far`)).toEqual(['env-unreachable']);

    const run = mlcAsUser(['env', 'check', '--all', '--fix', '--json'], places);
    // Problems are left (the kernels not proven ours): exit 1, with the summary.
    expect(run.code).toBe(1);
    const summary = resultData<IEnvCheckSummary>({
      ...run,
      stdout: run.stdout
        .split('\n')
        .filter(line => line.includes('"env check-summary"'))
        .join('\n')
    });
    const byPrefix = new Map(summary.envs.map(env => [env.prefix, env]));
    expect(byPrefix.get(`${envs}/gone`)?.fixed.map(p => p.code)).toEqual([
      'env-missing'
    ]);
    expect(byPrefix.get(`${envs}/gone`)?.problems).toEqual([]);
    expect(fs.existsSync(`${kernels}/${gone.kernelName}`)).toBe(false);

    // Not ours, not proven, or unreachable: still there, whole.
    expect(fs.existsSync(`${kernels}/no-id-kernel/kernel.json`)).toBe(true);
    expect(byPrefix.get(noId)?.problems[0]?.hint).toContain(
      'jupyter kernelspec remove no-id-kernel'
    );
    expect(fs.lstatSync(`${kernels}/linked-kernel`).isSymbolicLink()).toBe(
      true
    );
    expect(
      fs.lstatSync(`${kernels}/linked-json/kernel.json`).isSymbolicLink()
    ).toBe(true);
    expect(treeChecksum(precious)).toBe(preciousSum);
    expect(fs.existsSync(`${kernels}/hostile-prefix/kernel.json`)).toBe(true);
    expect(fs.existsSync(`${kernels}/${far.kernelName}/kernel.json`)).toBe(
      true
    );
  });

  it('unregisters the old kernel beside a new env made at the same path, keeping the new env', () => {
    const old = createEnv(`${envs}/again`);
    fs.rmSync(`${envs}/again`, { recursive: true });
    createEnv(`${envs}/again`, ['--no-kernel']);
    expect(problemCodes(`${envs}/again`)).toEqual(['kernel-dangling']);
    const run = mlcAsUser(
      ['env', 'check', `${envs}/again`, '--fix', '--json'],
      places
    );
    expect(run.code).toBe(0);
    expect(fs.existsSync(`${kernels}/${old.kernelName}`)).toBe(false);
    expect(fs.existsSync(`${envs}/again/.mlc-env.json`)).toBe(true);
    expect(problemCodes(`${envs}/again`)).toEqual([]);
  });

  it('keeps the kernel when the env at its path is its own again (a new create took the kernel over)', () => {
    const first = createEnv(`${envs}/reborn`);
    fs.rmSync(`${envs}/reborn`, { recursive: true });
    const second = createEnv(`${envs}/reborn`);
    expect(second.kernelName).toBe(first.kernelName);
    expect(problemCodes(`${envs}/reborn`)).toEqual([]);
    const run = mlcAsUser(
      ['env', 'check', `${envs}/reborn`, '--fix', '--json'],
      places
    );
    expect(run.code).toBe(0);
    expect(fs.existsSync(`${kernels}/${second.kernelName}/kernel.json`)).toBe(
      true
    );
  });

  it("leaves a link put in place of a deleted env's kernel directory, and what it leads to", () => {
    const swapped = createEnv(`${envs}/swapped`);
    fs.rmSync(`${envs}/swapped`, { recursive: true });
    const target = userTree(`${fixture.scratch}/swap-target`, {
      'kernel.json': envKernelJson(`${envs}/swapped`, 'ef'.repeat(16)),
      'keep.txt': 'keep\n'
    });
    fs.rmSync(`${kernels}/${swapped.kernelName}`, { recursive: true });
    symlinkAsUser(target, `${kernels}/${swapped.kernelName}`);
    const run = mlcAsUser(
      ['env', 'check', `${envs}/swapped`, '--fix', '--json'],
      places
    );
    expect(run.code).not.toBe(0);
    expect(fs.readFileSync(`${target}/keep.txt`, 'utf-8')).toBe('keep\n');
    expect(
      fs.lstatSync(`${kernels}/${swapped.kernelName}`).isSymbolicLink()
    ).toBe(true);
  });
});
