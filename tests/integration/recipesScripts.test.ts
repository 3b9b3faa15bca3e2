/**
 * The recipes' checks that need no image build: images/shared/build-env.sh
 * refusing build arguments (as it does inside a build), the package lists
 * it composes, scripts/build-image.sh's argument checks, and `mlc image
 * labels` on good and hostile image.json files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { condaInstallerName } from '../../src/cli/env/condaFinder';
import { runCommand, runMlc } from '../harness/mlc';
import { makeScratch, REPO } from '../harness/paths';

const BUILD_ENV = path.join(REPO, 'images', 'shared', 'build-env.sh');
const IMAGES = [
  'ml-base',
  'ml-pyroot',
  'ml-tensorflow-cpu',
  'ml-tensorflow-gpu',
  'ml-torch-gpu'
];

let scratch: { dir: string; cleanup: () => void };

beforeAll(() => {
  scratch = makeScratch('recipes-scripts');
});

afterAll(() => {
  scratch?.cleanup();
});

/** The text of shell function `name` in build-env.sh (from its line to the closing brace). */
function shellFunction(name: string): string {
  const text = fs.readFileSync(BUILD_ENV, 'utf-8');
  const start = text.indexOf(`\n${name}() {\n`);
  if (start < 0) {
    throw new Error(`build-env.sh has no function ${name}`);
  }
  return text.slice(start + 1, text.indexOf('\n}\n', start) + 2);
}

function buildEnv(args: string[], env: NodeJS.ProcessEnv) {
  return runCommand('bash', [BUILD_ENV, ...args], { env });
}

describe('images/shared/build-env.sh', () => {
  it('refuses an unsupported PyVer or PKG_SOURCE in one line before doing anything', () => {
    const badPy = buildEnv(['env', 'ml-base'], {
      PyVer: '3.10',
      PKG_SOURCE: 'conda-forge'
    });
    expect(badPy.code).toBe(2);
    expect(badPy.stderr).toBe(
      "build-env: error: PyVer='3.10' is not supported; pass --build-arg PyVer=3.9, 3.11 (the default) or 3.12\n"
    );
    const badSource = buildEnv(['env', 'ml-base'], {
      PyVer: '3.11',
      PKG_SOURCE: 'pypi'
    });
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toBe(
      "build-env: error: PKG_SOURCE='pypi' is not supported; use conda-forge (the default) or local\n"
    );
    const badStep = buildEnv(['bake'], {});
    expect(badStep.code).toBe(2);
    expect(badStep.stderr).toBe(
      "build-env: error: unknown step 'bake'; use system-packages, env or mlc\n"
    );
  });

  it("moves micromamba into the prefix's bin as a real file, where mlc finds it", () => {
    const root = `${scratch.dir}/image-root`;
    fs.mkdirSync(`${root}/usr/local/bin`, { recursive: true });
    fs.mkdirSync(`${root}/opt/conda/bin`, { recursive: true });
    fs.writeFileSync(
      `${root}/usr/local/bin/micromamba`,
      '#!/bin/sh\necho mm\n',
      {
        mode: 0o644
      }
    );
    // The recipe's own function, run as the build runs it (set -e, die on error).
    const script = `set -euo pipefail\n${shellFunction('die')}\n${shellFunction('keep_micromamba_in_prefix')}\nkeep_micromamba_in_prefix "$1" "$2"`;
    const args = [
      '-c',
      script,
      'build-env',
      `${root}/usr/local/bin/micromamba`,
      `${root}/opt/conda`
    ];
    expect(runCommand('bash', args).code).toBe(0);
    const placed = fs.lstatSync(`${root}/opt/conda/bin/micromamba`);
    expect(placed.isFile()).toBe(true);
    expect(placed.mode & 0o777).toBe(0o755);
    expect(fs.readlinkSync(`${root}/usr/local/bin/micromamba`)).toBe(
      `${root}/opt/conda/bin/micromamba`
    );
    expect(condaInstallerName(`${root}/opt/conda`)).toBe('micromamba');
    // Run again (the file is now a link): refused in one line, nothing moved.
    const again = runCommand('bash', args);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `build-env: error: no micromamba at ${root}/usr/local/bin/micromamba to move into ${root}/opt/conda/bin\n`
    );
    expect(fs.lstatSync(`${root}/opt/conda/bin/micromamba`).isFile()).toBe(
      true
    );
  });

  it('every Containerfile names its own package list, and each list adds to ml-base', () => {
    const base = fs.readFileSync(
      path.join(REPO, 'images', 'shared', 'packages', 'ml-base.txt'),
      'utf-8'
    );
    expect(base).toMatch(/^jupyterlab$/m);
    for (const image of IMAGES) {
      const recipe = fs.readFileSync(
        path.join(REPO, 'images', image, 'Containerfile'),
        'utf-8'
      );
      expect(recipe).toMatch(
        /^ARG BASE_IMAGE=docker\.io\/library\/almalinux:9@sha256:[0-9a-f]{64}$/m
      );
      expect(recipe).toMatch(/^ARG PyVer=3\.11$/m);
      expect(recipe).toContain(`build-env.sh env ${image}\n`);
      expect(recipe).toContain(`org.opencontainers.image.title="${image}"`);
      expect(recipe.includes('CONDA_OVERRIDE_CUDA')).toBe(
        image.endsWith('-gpu')
      );
      expect(
        fs.existsSync(
          path.join(REPO, 'images', 'shared', 'packages', `${image}.txt`)
        )
      ).toBe(true);
    }
    expect(
      fs.readFileSync(
        path.join(REPO, 'images', 'ml-pyroot', 'Containerfile'),
        'utf-8'
      )
    ).toContain('system-packages mesa-libGL');
  });
});

describe('scripts/build-image.sh argument checks', () => {
  it('refuses an unknown image, engine, or a local source without a base, in one line', () => {
    const script = path.join(REPO, 'scripts', 'build-image.sh');
    const cases: [string[], string][] = [
      [
        ['ml-nothing'],
        "build-image: error: unknown image 'ml-nothing'; choose one of: " +
          IMAGES.join(' ') +
          '\n'
      ],
      [
        ['ml-base', '--engine', 'nerdctl'],
        'build-image: error: --engine nerdctl: use podman or docker\n'
      ],
      [
        ['ml-base', '--local-prefix', path.join(REPO, 'build', 'test-prefix')],
        "build-image: error: --local-prefix needs --base-image (the local source is not AlmaLinux's dnf)\n"
      ]
    ];
    for (const [args, line] of cases) {
      const result = runCommand('bash', [script, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(line);
    }
  });
});

describe('mlc image labels', () => {
  const facts = {
    schemaVersion: 1,
    name: 'ml-base',
    tag: 'alma9-python311',
    os: 'AlmaLinux 9.4',
    python: '3.11.9',
    flavour: 'cpu',
    buildDate: '2026-11-29T10:00:00Z',
    prefix: '/opt/conda',
    dockerPath: 'docker.io/yesw2000/ml-base:alma9-python311',
    packages: [
      { name: 'numpy', version: '2.1.0', source: 'conda' },
      { name: 'bash', version: '5.1', source: 'system' }
    ]
  };

  it('prints one KEY=VALUE line per fact', () => {
    const file = path.join(scratch.dir, 'image.json');
    fs.writeFileSync(file, JSON.stringify(facts));
    const result = runMlc(['image', 'labels', '--image', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'io.github.ml-containers.name=ml-base',
        'io.github.ml-containers.python=3.11.9',
        'io.github.ml-containers.package-count=2',
        'io.github.ml-containers.docker-path=docker.io/yesw2000/ml-base:alma9-python311',
        'org.opencontainers.image.created=2026-11-29T10:00:00Z'
      ])
    );
    expect(lines.every(line => /^[a-z.-]+=/.test(line))).toBe(true);
  });

  it('refuses a fact that would break the label lines, and a schema violation, in one line', () => {
    const file = path.join(scratch.dir, 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...facts,
        os: 'Alma\nio.github.ml-containers.name=evil'
      })
    );
    const result = runMlc(['image', 'labels', '--image', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `mlc: error: ${file}: the value of io.github.ml-containers.os it contains a newline or control character; write it again with 'mlc image manifest'\n`
    );
    fs.writeFileSync(file, JSON.stringify({ ...facts, flavour: 'tpu' }));
    const schema = runMlc(['image', 'labels', '--image', file]);
    expect(schema.code).toBe(2);
    expect(schema.stderr.split('\n')).toHaveLength(2);
  });
});
