/** The runner's pure parts: catalogue, references, auth challenges, rate limits, conda history, work state. */
import * as fc from 'fast-check';
import {
  defaultCatalogue,
  matchImages,
  matchOneImage,
  mergeCatalogue,
  parseCatalogueFile
} from '../../src/core/runner/catalogue';
import { parseAuthChallenge } from '../../src/core/runner/authChallenge';
import { addedCondaPackages } from '../../src/core/runner/condaHistory';
import {
  parseRateLimitValue,
  pullLimitFromHeaders
} from '../../src/core/runner/rateLimit';
import {
  formatImageReference,
  parseImageReference
} from '../../src/core/runner/imageReference';
import {
  containerName,
  parseWorkState,
  sandboxDirectory,
  WORK_STATE_VERSION
} from '../../src/core/runner/workState';

describe('catalogue', () => {
  it('ships the five seed images with their Docker Hub references and CVMFS paths', () => {
    const entries = defaultCatalogue();
    expect(entries.map(e => e.name)).toEqual([
      'ml-base',
      'ml-pyroot',
      'ml-tensorflow-cpu',
      'ml-tensorflow-gpu',
      'ml-torch-gpu'
    ]);
    for (const entry of entries) {
      expect(entry.reference).toBe(
        `docker.io/yesw2000/${entry.name}:${entry.tag}`
      );
      expect(entry.cvmfsPaths).toEqual([
        `/cvmfs/unpacked.cern.ch/registry.hub.docker.com/yesw2000/${entry.name}:${entry.tag}`
      ]);
    }
  });

  it('adds and replaces entries by NAME:TAG, or replaces all with replaceDefaults', () => {
    const file = parseCatalogueFile(
      JSON.stringify({
        schemaVersion: 1,
        images: [
          {
            name: 'ml-base',
            tag: 'centos7-python38',
            reference: 'ghcr.io/site/ml-base:centos7-python38',
            flavour: 'cpu',
            python: '3.8'
          },
          {
            name: 'ml-base',
            tag: 'alma9-python311',
            reference: 'docker.io/yesw2000/ml-base:alma9-python311',
            flavour: 'cpu',
            python: '3.11'
          }
        ]
      }),
      'f'
    );
    expect(file.ok).toBe(true);
    if (!file.ok) {
      return;
    }
    const merged = mergeCatalogue(defaultCatalogue(), file.value);
    expect(merged).toHaveLength(6);
    const match = matchImages(merged, 'ml-base');
    expect(
      match.kind === 'found' && match.entries.map(e => e.reference)
    ).toEqual([
      'docker.io/yesw2000/ml-base:alma9-python311',
      'ghcr.io/site/ml-base:centos7-python38'
    ]);
    expect(matchOneImage(merged, 'ml-base')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/names 2 images.*give NAME:TAG/)
    });
    expect(
      mergeCatalogue(defaultCatalogue(), {
        ...file.value,
        replaceDefaults: true
      })
    ).toHaveLength(2);
  });

  it('says which names exist when nothing matches', () => {
    expect(matchOneImage(defaultCatalogue(), 'ml-bas')).toEqual({
      ok: false,
      error:
        'no image "ml-bas" in the catalogue; the images are: ml-base, ml-pyroot, ml-tensorflow-cpu, ml-tensorflow-gpu, ml-torch-gpu'
    });
  });

  it('refuses malformed files with the field named', () => {
    expect(parseCatalogueFile('[', 'c.json')).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^the catalogue c\.json is not valid JSON \(.+\)$/
      )
    });
    const bad = (image: Record<string, unknown>) =>
      parseCatalogueFile(
        JSON.stringify({
          schemaVersion: 1,
          images: [
            {
              name: 'a',
              tag: 'b',
              reference: 'docker.io/a/b:c',
              flavour: 'cpu',
              python: '3.8',
              ...image
            }
          ]
        }),
        'c.json'
      );
    expect(bad({ name: '../etc' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('images.0.name')
    });
    expect(bad({ cvmfsPaths: ['relative/path'] })).toMatchObject({
      ok: false,
      error: expect.stringContaining('images.0.cvmfsPaths.0')
    });
    expect(bad({ flavour: 'tpu' })).toMatchObject({ ok: false });
    expect(bad({ packageListUrl: 'file:///etc/passwd' })).toMatchObject({
      ok: false
    });
    expect(
      parseCatalogueFile(
        JSON.stringify({ schemaVersion: 2, images: [] }),
        'c.json'
      ).ok
    ).toBe(false);
  });
});

describe('image references', () => {
  it('applies Docker Hub defaults and keeps other registries', () => {
    expect(parseImageReference('ubuntu')).toEqual({
      ok: true,
      value: {
        registry: 'docker.io',
        repository: 'library/ubuntu',
        tag: 'latest',
        digest: null
      }
    });
    expect(
      parseImageReference('yesw2000/ml-base:centos7-python38')
    ).toMatchObject({
      value: { registry: 'docker.io', repository: 'yesw2000/ml-base' }
    });
    expect(parseImageReference('127.0.0.1:5000/test/x:v1')).toMatchObject({
      value: { registry: '127.0.0.1:5000', repository: 'test/x', tag: 'v1' }
    });
    expect(parseImageReference('localhost/x')).toMatchObject({
      value: { registry: 'localhost', repository: 'x' }
    });
    expect(
      parseImageReference(`ghcr.io/a/b@sha256:${'a'.repeat(64)}`)
    ).toMatchObject({ value: { digest: `sha256:${'a'.repeat(64)}` } });
    for (const bad of [
      '',
      'UPPER/case',
      'a b',
      'x:',
      'docker.io/../x',
      'x@sha256:short'
    ]) {
      expect(parseImageReference(bad).ok).toBe(false);
    }
  });

  it('round-trips through formatting', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}$/),
        (parts, tag) => {
          const text = `ghcr.io/${parts.join('/')}:${tag}`;
          const parsed = parseImageReference(text);
          return parsed.ok && formatImageReference(parsed.value) === text;
        }
      )
    );
  });
});

describe('registry responses', () => {
  it("parses Docker Hub's challenge and other orders and quoting", () => {
    expect(
      parseAuthChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:yesw2000/ml-base:pull"'
      )
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:yesw2000/ml-base:pull'
      }
    });
    expect(
      parseAuthChallenge('Bearer scope="a:b", realm=https://x/token')?.params
    ).toEqual({ scope: 'a:b', realm: 'https://x/token' });
    expect(parseAuthChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' }
    });
    expect(parseAuthChallenge('Bearer realm="unterminated')).toBeNull();
  });

  it('reads N;w=SECONDS generically, and no header as no limit', () => {
    expect(parseRateLimitValue('100;w=21600')).toEqual({
      count: 100,
      windowSeconds: 21600
    });
    expect(parseRateLimitValue('76 ; comment="x" ; w=3600')).toEqual({
      count: 76,
      windowSeconds: 3600
    });
    expect(parseRateLimitValue('12')).toEqual({
      count: 12,
      windowSeconds: null
    });
    expect(parseRateLimitValue('many')).toBeNull();
    expect(pullLimitFromHeaders({})).toEqual({
      limited: false,
      limit: null,
      remaining: null,
      source: null
    });
    expect(
      pullLimitFromHeaders({
        'ratelimit-limit': '200;w=21600',
        'ratelimit-remaining': '0;w=21600',
        'docker-ratelimit-source': 'abc'
      })
    ).toMatchObject({ limited: true, remaining: { count: 0 }, source: 'abc' });
  });
});

describe('conda history', () => {
  const history = [
    '==> 2024-01-01 10:00:00 <==',
    '# cmd: micromamba create -p /opt/conda python',
    '+conda-forge::python-3.11.7-hab00c5b_1_cpython',
    '==> 2024-03-01 09:00:00 <==',
    '# cmd: micromamba install dask',
    '# update specs: ["dask", "conda-forge::numpy>=1.26"]',
    '+https://conda.anaconda.org/conda-forge/noarch::dask-2023.5.0-pyhd8ed1ab_0',
    '+conda-forge::numpy-1.26.4-py311h64a7726_0',
    '+conda-forge::zstd-1.5.5-hfc55251_0',
    '-conda-forge::zstd-1.5.2-hfc55251_7',
    'garbage line ::: with stuff',
    '+',
    '==> 2024-03-02 09:00:00 <==',
    '-conda-forge::numpy-1.26.4-py311h64a7726_0',
    ''
  ].join('\n');

  it('lists what was added after setup, minus later removals, with the requested specs', () => {
    const added = addedCondaPackages(history, '2024-02-01 00:00:00');
    expect(added.packages).toEqual([
      { name: 'dask', version: '2023.5.0', channel: 'conda-forge' },
      { name: 'zstd', version: '1.5.5', channel: 'conda-forge' }
    ]);
    expect(added.specs).toEqual(['dask', 'numpy']);
    expect(addedCondaPackages(history, '2025-01-01 00:00:00').packages).toEqual(
      []
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), text =>
        Array.isArray(addedCondaPackages(text, '2000-01-01 00:00:00').packages)
      )
    );
  });
});

describe('work state', () => {
  const valid = {
    schemaVersion: WORK_STATE_VERSION,
    writtenBy: '0.1.0',
    engine: 'podman',
    workdir: '/home/u/work',
    workdirId: 'a'.repeat(64),
    setupId: 'b'.repeat(32),
    setupAt: '2024-01-01T00:00:00.000Z',
    image: {
      name: 'ml-base',
      tag: 't',
      reference: 'docker.io/yesw2000/ml-base:t',
      digest: null,
      compressedSize: null,
      created: null,
      lastUpdated: null
    },
    container: { name: 'mlc-ml-base-t-aaaaaaaaaaaa', id: 'c'.repeat(64) },
    binds: [],
    gpu: 'none'
  };

  it('accepts what setup writes and refuses a newer schema with its own line', () => {
    expect(parseWorkState(JSON.stringify(valid)).ok).toBe(true);
    expect(
      parseWorkState(
        JSON.stringify({ ...valid, schemaVersion: 2, writtenBy: '3.0.0' })
      )
    ).toEqual({
      ok: false,
      error:
        '.mlc-container.json was written by a newer mlc (3.0.0) (schema 2, this mlc reads 1); upgrade jupyterlab-ml-containers'
    });
  });

  it('refuses names that are not names, and a sandbox for a container engine', () => {
    expect(
      parseWorkState(
        JSON.stringify({
          ...valid,
          container: { name: '--rm', id: 'c'.repeat(64) }
        })
      ).ok
    ).toBe(false);
    expect(
      parseWorkState(
        JSON.stringify({
          ...valid,
          container: undefined,
          sandbox: { directory: '../home' }
        })
      ).ok
    ).toBe(false);
    expect(
      parseWorkState(
        JSON.stringify({
          ...valid,
          container: undefined,
          sandbox: { directory: '.mlc-sandbox-x' }
        })
      )
    ).toMatchObject({
      ok: false,
      error: expect.stringContaining('does not match')
    });
  });

  it('names containers by the work directory, so two directories never share one', () => {
    expect(
      containerName('ml-base', 'centos7-python38', 'a'.repeat(64), 0)
    ).toBe('mlc-ml-base-centos7-python38-aaaaaaaaaaaa');
    expect(containerName('ml-base', 'x', 'b'.repeat(64), 0)).not.toBe(
      containerName('ml-base', 'x', 'a'.repeat(64), 0)
    );
    expect(containerName('ml-base', 'x', 'a'.repeat(64), 2)).toMatch(/-u2$/);
    expect(sandboxDirectory('ml-base', 'Centos7', 0)).toBe(
      '.mlc-sandbox-ml-base-centos7'
    );
  });
});

describe('work state binds', () => {
  it('refuses bind paths that are not absolute or carry the engines separators', () => {
    const base = {
      schemaVersion: 1,
      writtenBy: '0.1.0',
      engine: 'docker',
      workdir: '/w',
      workdirId: 'a'.repeat(64),
      setupId: 'b'.repeat(32),
      setupAt: '2024-01-01T00:00:00Z',
      gpu: 'none',
      container: { name: 'mlc-x', id: 'c'.repeat(64) },
      image: {
        name: 'x',
        tag: 'y',
        reference: 'docker.io/a/x:y',
        digest: null,
        compressedSize: null,
        created: null,
        lastUpdated: null
      }
    };
    expect(
      parseWorkState(
        JSON.stringify({
          ...base,
          binds: [{ source: '/data', target: '/mnt/data' }]
        })
      ).ok
    ).toBe(true);
    for (const bind of [
      { source: 'data', target: '/d' },
      { source: '/a:/b', target: '/d' },
      { source: '/a', target: '/d,ro' }
    ]) {
      expect(
        parseWorkState(JSON.stringify({ ...base, binds: [bind] })).ok
      ).toBe(false);
    }
  });
});
