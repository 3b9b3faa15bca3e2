/**
 * How the launcher section sorts the server's kernel specs, built with the
 * same builders `mlc kernels install` and `mlc env create` use, and how the
 * card merges spec facts with image.json.
 */
import type { ImageMetadata } from '../../src/core/imageMetadata';
import {
  envKernelSpec,
  imageKernelSpecs,
  type IKernelSpecFile
} from '../../src/core/kernelspec';
import {
  cardFacts,
  formatBuildDate,
  imageJsonWarning,
  interpretImageJson
} from '../../src/lab/imageService/imageState';
import type { IEnvSummary } from '../../src/core/envRecord';
import {
  catalogKernels,
  interpreterOf,
  withoutDanglingKernels,
  type ISpecLike
} from '../../src/lab/imageService/kernelCatalog';
import { englishBundle } from './launcherDomHelpers';

const PREFIX = '/opt/conda';

const IMAGE: ImageMetadata = {
  schemaVersion: 1,
  name: 'ml-base',
  tag: 'alma9-python311',
  os: 'AlmaLinux 9.4',
  python: '3.11.7',
  flavour: 'gpu',
  buildDate: '2025-03-04T21:30:00Z',
  prefix: PREFIX,
  packages: [
    { name: 'numpy', version: '1.26.4', source: 'conda' },
    { name: 'uproot', version: '5.3.2', source: 'pip' }
  ]
};

/** A spec as `/api/kernelspecs` serves it: the kernel.json fields plus name and resources. */
function served(
  name: string,
  file: Pick<IKernelSpecFile, 'argv' | 'display_name'> & { metadata?: unknown },
  logos = true
): ISpecLike {
  return {
    name,
    display_name: file.display_name,
    argv: file.argv,
    metadata: file.metadata,
    resources: logos
      ? {
          'logo-svg': `/kernelspecs/${name}/logo-svg.svg`,
          'logo-64x64': `/kernelspecs/${name}/logo-64x64.png`
        }
      : {}
  };
}

function imageSpecs(): Record<string, ISpecLike> {
  const specs = imageKernelSpecs({
    prefix: PREFIX,
    python: '3.11',
    image: IMAGE
  });
  return {
    python3: served('python3', specs.python3),
    'python3-usersite': served('python3-usersite', specs['python3-usersite'])
  };
}

describe('catalogKernels', () => {
  it('finds the image kernels, isolated first, with their facts and logos', () => {
    const catalog = catalogKernels(imageSpecs());
    expect(
      catalog.imageKernels.map(kernel => [
        kernel.name,
        kernel.role,
        kernel.displayName
      ])
    ).toEqual([
      ['python3', 'isolated', 'ML-Python3'],
      ['python3-usersite', 'usersite', 'ML-Python3-usersite']
    ]);
    expect(catalog.imageKernels[0].logoUrl).toBe(
      '/kernelspecs/python3/logo-svg.svg'
    );
    expect(catalog.facts).toMatchObject({
      image: 'ml-base:alma9-python311',
      packageCount: 2,
      prefix: PREFIX
    });
    expect(catalog.envKernels).toEqual([]);
    expect(catalog.otherKernels).toEqual([]);
  });

  it('lists extended envs by name, and flags one layered over another image prefix', () => {
    const here = envKernelSpec({
      prefix: PREFIX,
      python: '3.11',
      image: IMAGE,
      envPrefix: '/home/u/ml-envs/zeta',
      displayName: 'zeta (ML env)',
      envName: 'zeta'
    });
    const elsewhere = envKernelSpec({
      prefix: '/cvmfs/other/opt/conda',
      python: '3.11',
      envPrefix: '/home/u/ml-envs/alpha',
      displayName: 'alpha (ML env)',
      envName: 'alpha'
    });
    const catalog = catalogKernels({
      ...imageSpecs(),
      'mlc-zeta-1': served('mlc-zeta-1', here, false),
      'mlc-alpha-2': served('mlc-alpha-2', elsewhere, false)
    });
    expect(catalog.envKernels).toEqual([
      {
        name: 'mlc-alpha-2',
        displayName: 'alpha (ML env)',
        logoUrl: '',
        envName: 'alpha',
        envPrefix: '/home/u/ml-envs/alpha',
        onOtherBase: true
      },
      {
        name: 'mlc-zeta-1',
        displayName: 'zeta (ML env)',
        logoUrl: '',
        envName: 'zeta',
        envPrefix: '/home/u/ml-envs/zeta',
        onOtherBase: false
      }
    ]);
    expect(catalog.otherKernels).toEqual([]);
  });

  it('judges the other kernels by the interpreter they start', () => {
    const specs = {
      ...imageSpecs(),
      host: served('host', {
        display_name: 'Host Python',
        argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher']
      }),
      inside: served('inside', {
        display_name: 'Image tool',
        argv: ['/opt/conda/bin/../bin/python3.11', '-m', 'x']
      }),
      bare: served('bare', {
        display_name: 'Server Python',
        argv: ['python3', '-m', 'ipykernel_launcher']
      }),
      julia: served('julia', {
        display_name: 'Julia',
        argv: ['/home/u/.julia/bin/julia', '-i']
      })
    };
    const verdicts = Object.fromEntries(
      catalogKernels(specs).otherKernels.map(kernel => [
        kernel.name,
        [kernel.interpreter, kernel.verdict]
      ])
    );
    expect(verdicts).toEqual({
      host: ['/usr/bin/python3', 'foreign'],
      inside: ['/opt/conda/bin/../bin/python3.11', 'image'],
      bare: ['python3', 'unknown'],
      julia: ['/home/u/.julia/bin/julia', 'foreign']
    });
  });

  it('keeps one kernel per role, preferring the seed names; a copy is listed as another kernel', () => {
    const specs = imageKernelSpecs({
      prefix: PREFIX,
      python: '3.11',
      image: IMAGE
    });
    const catalog = catalogKernels({
      'a-copy': served('a-copy', specs.python3),
      python3: served('python3', specs.python3)
    });
    expect(catalog.imageKernels.map(kernel => kernel.name)).toEqual([
      'python3'
    ]);
    expect(
      catalog.otherKernels.map(kernel => [kernel.name, kernel.verdict])
    ).toEqual([['a-copy', 'image']]);
  });

  it('has nothing to show without specs or without our metadata', () => {
    expect(catalogKernels(null)).toEqual({
      imageKernels: [],
      envKernels: [],
      danglingKernels: [],
      otherKernels: [],
      facts: null
    });
    const plain = catalogKernels({
      python3: served('python3', {
        display_name: 'Python 3',
        argv: ['python', '-m', 'ipykernel_launcher']
      })
    });
    expect(plain.imageKernels).toEqual([]);
    expect(plain.facts).toBeNull();
    // Without an image nothing can be judged.
    expect(plain.otherKernels[0].verdict).toBe('unknown');
  });
});

describe('withoutDanglingKernels', () => {
  function envSpec(name: string, envPrefix: string): ISpecLike {
    return served(
      name,
      envKernelSpec({
        prefix: PREFIX,
        python: '3.11',
        image: IMAGE,
        envPrefix,
        displayName: name,
        envName: name
      })
    );
  }

  function report(
    prefix: string,
    kernelName: string | null,
    codes: string[]
  ): IEnvSummary {
    return {
      name: prefix.slice(prefix.lastIndexOf('/') + 1),
      prefix,
      basePrefix: PREFIX,
      baseImage: 'ml-base:alma9-python311',
      python: '3.11',
      createdAt: '',
      kernelName,
      problems: codes.map(code => ({
        code,
        message: code,
        fixable: true,
        hint: ''
      }))
    };
  }

  const specs = {
    ...imageSpecs(),
    'mlc-gone-1': envSpec('mlc-gone-1', '/home/u/envs/gone'),
    'mlc-old-2': envSpec('mlc-old-2', '/home/u/envs/again'),
    'mlc-new-3': envSpec('mlc-new-3', '/home/u/envs/again'),
    'mlc-fine-4': envSpec('mlc-fine-4', '/home/u/envs/fine'),
    'mlc-unreported-5': envSpec('mlc-unreported-5', '/home/u/envs/unknown')
  };

  it('hides the kernels mlc reported dangling, and only those', () => {
    const reports = new Map(
      [
        report('/home/u/envs/gone', 'mlc-gone-1', ['env-missing']),
        // A new env at the old path: its own kernel stays, the old one goes.
        report('/home/u/envs/again', 'mlc-new-3', ['kernel-dangling']),
        report('/home/u/envs/fine', 'mlc-fine-4', ['base-updated'])
      ].map(env => [env.prefix, env])
    );
    const catalog = withoutDanglingKernels(catalogKernels(specs), reports);
    expect(catalog.envKernels.map(kernel => kernel.name).sort()).toEqual([
      'mlc-fine-4',
      'mlc-new-3',
      'mlc-unreported-5'
    ]);
    expect(catalog.danglingKernels.map(kernel => kernel.name).sort()).toEqual([
      'mlc-gone-1',
      'mlc-old-2'
    ]);
  });

  it('keeps every kernel before mlc reported, and after the env came back', () => {
    const plain = catalogKernels(specs);
    expect(withoutDanglingKernels(plain, new Map())).toBe(plain);
    const back = new Map([
      ['/home/u/envs/gone', report('/home/u/envs/gone', 'mlc-gone-1', [])]
    ]);
    expect(withoutDanglingKernels(plain, back).danglingKernels).toEqual([]);
  });
});

describe('interpreterOf', () => {
  const facts = { prefix: PREFIX, python: '3.11.7' };

  it("accepts `env python3.X` only for the image's X", () => {
    expect(interpreterOf(['/usr/bin/env', 'python3.11', '-s'], facts)).toEqual({
      interpreter: 'python3.11',
      verdict: 'image'
    });
    expect(interpreterOf(['/usr/bin/env', 'python3.9', '-s'], facts)).toEqual({
      interpreter: 'python3.9',
      verdict: 'foreign'
    });
    expect(interpreterOf(['/usr/bin/env', 'python3'], facts)).toEqual({
      interpreter: 'python3',
      verdict: 'foreign'
    });
  });

  it('skips env options and assignments to find the program', () => {
    expect(
      interpreterOf(
        ['/bin/env', '-i', 'A=1', '/opt/conda/bin/python3.11'],
        facts
      ).verdict
    ).toBe('image');
    expect(
      interpreterOf(['env', 'A=1', '/usr/local/bin/python3.11'], facts).verdict
    ).toBe('foreign');
  });

  it('does not let a sibling folder pass for the prefix', () => {
    expect(interpreterOf(['/opt/conda-old/bin/python'], facts).verdict).toBe(
      'foreign'
    );
    expect(interpreterOf([], facts)).toEqual({
      interpreter: '',
      verdict: 'unknown'
    });
  });
});

describe('cardFacts', () => {
  const catalog = catalogKernels(imageSpecs());

  it('uses the spec facts until image.json is read, then image.json', () => {
    expect(
      cardFacts(catalog.facts, { status: 'loading', kernelName: 'python3' })
    ).toEqual({
      reference: 'ml-base:alma9-python311',
      os: 'AlmaLinux 9.4',
      python: '3.11.7',
      buildDate: '2025-03-04',
      flavour: 'gpu',
      packageCount: 2,
      prefix: PREFIX
    });
    const newer = {
      ...IMAGE,
      tag: 'alma9-python311-r2',
      packages: [...IMAGE.packages, IMAGE.packages[0]]
    };
    expect(
      cardFacts(catalog.facts, {
        status: 'ready',
        kernelName: 'python3',
        value: newer
      })
    ).toMatchObject({
      reference: 'ml-base:alma9-python311-r2',
      packageCount: 3
    });
    expect(cardFacts(null, { status: 'absent' })).toBeNull();
  });

  it('keeps a date it cannot parse as written', () => {
    expect(formatBuildDate('2025-03-04T23:30:00-05:00')).toBe('2025-03-05');
    expect(formatBuildDate('last spring')).toBe('last spring');
  });
});

describe('a malformed image.json', () => {
  const broken: [string, string][] = [
    ['not JSON', '{"schemaVersion": 1, "name": '],
    [
      'an empty package name',
      JSON.stringify({
        ...IMAGE,
        packages: [{ name: '', version: '1', source: 'conda' }]
      })
    ],
    [
      'an unknown source',
      JSON.stringify({
        ...IMAGE,
        packages: [{ name: 'x', version: '1', source: 'npm' }]
      })
    ],
    ['no package list', JSON.stringify({ ...IMAGE, packages: undefined })],
    ['not an object', '[]']
  ];

  it.each(broken)(
    'with %s gives one warning line that says what to do',
    (_label, text) => {
      const result = interpretImageJson(text);
      expect(result).toMatchObject({ ok: false, problem: 'malformed' });
      if (result.ok) {
        return;
      }
      const warning = imageJsonWarning(
        { status: 'error', kernelName: 'python3', ...result },
        englishBundle
      );
      expect(warning).not.toMatch(/\n/);
      expect(warning).toContain(result.detail);
      expect(warning).toMatch(/rewrite it with "mlc image manifest"\.$/);
    }
  );

  it('from a newer mlc asks for an upgrade instead', () => {
    const result = interpretImageJson(
      JSON.stringify({ ...IMAGE, schemaVersion: 2, packages: 'changed' })
    );
    expect(result).toEqual({ ok: false, problem: 'newer', detail: '2' });
    if (!result.ok) {
      expect(
        imageJsonWarning(
          { status: 'error', kernelName: 'python3', ...result },
          englishBundle
        )
      ).toMatch(
        /schema version 2, newer than this extension reads; upgrade jupyterlab-ml-containers/
      );
    }
  });

  it('a valid one is read whole', () => {
    expect(interpretImageJson(JSON.stringify(IMAGE))).toEqual({
      ok: true,
      value: IMAGE
    });
  });

  it('a missing one names the kernel and the fix', () => {
    const warning = imageJsonWarning(
      {
        status: 'error',
        kernelName: 'python3',
        problem: 'missing',
        detail: 'python3'
      },
      englishBundle
    );
    expect(warning).toBe(
      'Kernel python3 has no image.json, so the package list is unavailable; reinstall the kernels with "mlc kernels install".'
    );
    expect(
      imageJsonWarning(
        { status: 'loading', kernelName: 'python3' },
        englishBundle
      )
    ).toBe('');
  });
});
