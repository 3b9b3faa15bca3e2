/**
 * `mlc info`, `packages`, `pull-limit` and `images` against a real registry
 * (docker-registry on 127.0.0.1, images pushed by podman: a single OCI
 * manifest, a Docker v2 manifest and a multi-platform index) and a Docker
 * Hub stand-in over HTTPS under a test CA. skopeo, a separate real client,
 * gives the expected digests and sizes.
 */
import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import {
  makeTestCa,
  startHubStandIn,
  type IHubStandIn,
  type ITestCa
} from '../harness/hubStandIn';
import { runMlcAsync } from '../harness/mlcAsync';
import { makeScratch } from '../harness/paths';
import {
  buildImage,
  podman,
  push,
  registryAvailable,
  startRegistry,
  type ILocalRegistry
} from '../harness/registry';

const run = registryAvailable() ? describe : describe.skip;
const UNIQUE = `${process.pid}-${Date.now().toString(36)}`;
const LOCAL = {
  amd64: `localhost/mlc-runner-tiny-amd64:${UNIQUE}`,
  arm64: `localhost/mlc-runner-tiny-arm64:${UNIQUE}`,
  list: `localhost/mlc-runner-list:${UNIQUE}`
};

let scratch: { dir: string; cleanup: () => void };
let registry: ILocalRegistry;
let ca: ITestCa;
let rogueCa: ITestCa;
let hub: IHubStandIn;
let rogue: IHubStandIn;
let catalogue: string;

function skopeo(args: string[]): string {
  return execFileSync('skopeo', [...args], {
    encoding: 'utf-8',
    timeout: 120000
  });
}

function layerSum(manifest: { layers: { size: number }[] }): number {
  return manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

function mlc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const withCatalogue =
    args[0] === 'pull-limit' ? args : [...args, '--catalogue', catalogue];
  return runMlcAsync(['--json', ...withCatalogue], {
    env: {
      NODE_EXTRA_CA_CERTS: ca.caFile,
      MLC_DOCKERHUB_REGISTRY_URL: hub.url,
      MLC_DOCKERHUB_AUTH_URL: `${hub.url}/token`,
      MLC_DOCKERHUB_HUB_URL: hub.url,
      HOME: scratch.dir,
      XDG_RUNTIME_DIR: '',
      REGISTRY_AUTH_FILE: '',
      DOCKER_CONFIG: '',
      ...env
    },
    cwd: scratch.dir
  });
}

function resultOf(stdout: string): Record<string, unknown> {
  const event = stdout
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line))
    .find(e => e.type === 'result');
  return event?.data;
}

run('mlc against a real registry and a Docker Hub stand-in', () => {
  beforeAll(async () => {
    scratch = makeScratch('runner-registry');
    registry = await startRegistry(path.join(scratch.dir, 'registry'));
    const context = path.join(scratch.dir, 'context');
    fs.mkdirSync(context);
    fs.writeFileSync(
      path.join(context, 'list-of-pkgs-inside.txt'),
      'numpy 1.26.4\npython 3.11.7\n'
    );
    const tiny = (platform: string) =>
      `FROM scratch\nCOPY list-of-pkgs-inside.txt /\nLABEL org.opencontainers.image.version="2.0.${platform === 'amd64' ? 1 : 2}" io.example.python="3.11"\n`;
    buildImage(LOCAL.amd64, tiny('amd64'), context, [
      '--platform',
      'linux/amd64'
    ]);
    buildImage(LOCAL.arm64, tiny('arm64'), context, [
      '--platform',
      'linux/arm64'
    ]);
    push(LOCAL.amd64, `${registry.host}/test/single:oci`);
    podman([
      'push',
      '--quiet',
      '--tls-verify=false',
      '--format',
      'v2s2',
      LOCAL.amd64,
      `${registry.host}/test/single:v2s2`
    ]);
    // The seed's catalogue default, served through the Docker Hub stand-in.
    push(LOCAL.amd64, `${registry.host}/yesw2000/ml-base:centos7-python38`);
    podman(['manifest', 'create', LOCAL.list]);
    podman([
      'manifest',
      'add',
      LOCAL.list,
      `containers-storage:${LOCAL.amd64}`
    ]);
    podman([
      'manifest',
      'add',
      LOCAL.list,
      `containers-storage:${LOCAL.arm64}`
    ]);
    podman([
      'manifest',
      'push',
      '--quiet',
      '--all',
      '--tls-verify=false',
      LOCAL.list,
      `docker://${registry.host}/test/multi:v1`
    ]);

    ca = makeTestCa(path.join(scratch.dir, 'ca'), 'good');
    rogueCa = makeTestCa(path.join(scratch.dir, 'ca'), 'rogue');
    // 250 tags: the image's own tag is on page 3 of 100.
    const tags = Array.from({ length: 250 }, (_, i) => ({
      name: `t${i}`,
      last_updated: `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`
    }));
    tags[231] = {
      name: 'centos7-python38',
      last_updated: '2023-09-07T14:43:58.171805Z'
    };
    hub = await startHubStandIn(ca, {
      upstream: registry.host,
      tags: { 'yesw2000/ml-base': tags },
      pageSize: 100,
      rateLimit: { limit: '100;w=21600', remaining: '76;w=21600' }
    });
    rogue = await startHubStandIn(rogueCa, {
      upstream: registry.host,
      tags: {},
      pageSize: 100,
      rateLimit: null
    });

    catalogue = path.join(scratch.dir, 'catalogue.json');
    fs.mkdirSync(path.join(scratch.dir, 'cvmfs', 'single'), {
      recursive: true
    });
    fs.writeFileSync(
      path.join(scratch.dir, 'cvmfs', 'single', 'list-of-pkgs-inside.txt'),
      'numpy 1.26.4\nscipy 1.11.0\n'
    );
    fs.writeFileSync(
      catalogue,
      JSON.stringify({
        schemaVersion: 1,
        images: [
          {
            name: 'single',
            tag: 'oci',
            reference: `${registry.host}/test/single:oci`,
            flavour: 'cpu',
            python: '3.11',
            cvmfsPaths: [path.join(scratch.dir, 'cvmfs', 'single')]
          },
          {
            name: 'single',
            tag: 'v2s2',
            reference: `${registry.host}/test/single:v2s2`,
            flavour: 'cpu',
            python: '3.11'
          },
          {
            name: 'multi',
            tag: 'v1',
            reference: `${registry.host}/test/multi:v1`,
            flavour: 'gpu',
            python: '3.11'
          },
          {
            name: 'gone',
            tag: 'v1',
            reference: `${registry.host}/test/gone:v1`,
            flavour: 'cpu',
            python: '3.11'
          }
        ]
      })
    );
  }, 600000);

  afterAll(async () => {
    await hub?.close();
    await rogue?.close();
    await registry?.stop();
    for (const image of [LOCAL.list, LOCAL.amd64, LOCAL.arm64]) {
      try {
        podman(['rmi', image]);
      } catch {
        // never made
      }
    }
    scratch?.cleanup();
  });

  it('lists the seed images and the catalogue file; a bare name matches every tag', async () => {
    const all = await mlc(['images']);
    expect(all.code).toBe(0);
    const names = (
      resultOf(all.stdout).images as { name: string; tag: string }[]
    ).map(e => `${e.name}:${e.tag}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'ml-base:centos7-python38',
        'ml-torch-gpu:centos7-python38',
        'single:oci',
        'multi:v1'
      ])
    );
    const bare = await mlc(['images', 'single']);
    expect(
      (resultOf(bare.stdout).images as { tag: string }[]).map(e => e.tag)
    ).toEqual(['oci', 'v2s2']);
    const none = await runMlcAsync(
      ['images', 'nonesuch', '--catalogue', catalogue],
      { cwd: scratch.dir }
    );
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no image "nonesuch".*ml-base.*single/);
  });

  it('reads a single OCI manifest and a Docker v2 manifest: digest, layer sum, created and version label', async () => {
    for (const tag of ['oci', 'v2s2']) {
      const ref = `docker://${registry.host}/test/single:${tag}`;
      const expected = JSON.parse(
        skopeo(['inspect', '--tls-verify=false', ref])
      ) as { Digest: string; Created: string };
      const raw = JSON.parse(
        skopeo(['inspect', '--tls-verify=false', '--raw', ref])
      );
      const result = await mlc(['info', `single:${tag}`]);
      expect(result.code).toBe(0);
      const info = resultOf(result.stdout);
      expect(info.digest).toBe(expected.Digest);
      expect(info.compressedSize).toBe(layerSum(raw));
      expect(info.version).toBe('2.0.1');
      expect(new Date(info.created as string).getTime()).toBe(
        new Date(expected.Created).getTime()
      );
      expect((info.labels as Record<string, string>)['io.example.python']).toBe(
        '3.11'
      );
    }
  });

  it("picks this platform's entry from a multi-platform index (and another with MLC_PLATFORM)", async () => {
    const ref = `docker://${registry.host}/test/multi:v1`;
    const indexRaw = skopeo(['inspect', '--tls-verify=false', '--raw', ref]);
    const index = JSON.parse(indexRaw) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    expect(index.manifests).toHaveLength(2);
    for (const arch of ['amd64', 'arm64']) {
      const entry = index.manifests.find(
        m => m.platform.architecture === arch
      ) as { digest: string };
      const inner = JSON.parse(
        skopeo([
          'inspect',
          '--tls-verify=false',
          '--raw',
          `docker://${registry.host}/test/multi@${entry.digest}`
        ])
      );
      const result = await mlc(['info', 'multi'], {
        MLC_PLATFORM: `linux/${arch}`
      });
      expect(result.code).toBe(0);
      const info = resultOf(result.stdout);
      expect(info.digest).toBe(
        `sha256:${createHash('sha256').update(indexRaw).digest('hex')}`
      );
      expect(info.platform).toBe(`linux/${arch}`);
      expect(info.compressedSize).toBe(layerSum(inner));
      expect(info.version).toBe(arch === 'amd64' ? '2.0.1' : '2.0.2');
    }
    const missing = await mlc(['info', 'multi'], {
      MLC_PLATFORM: 'linux/s390x'
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/no image for linux\/s390x/);
  });

  it("reads a Docker Hub image through the bearer-token flow and finds its tag's date on page 3", async () => {
    hub.requests.length = 0;
    const result = await mlc(['info', 'ml-base']);
    expect(result.code).toBe(0);
    const info = resultOf(result.stdout);
    expect(info.lastUpdated).toBe('2023-09-07T14:43:58.171805Z');
    const expected = JSON.parse(
      skopeo([
        'inspect',
        '--tls-verify=false',
        `docker://${registry.host}/yesw2000/ml-base:centos7-python38`
      ])
    ) as { Digest: string };
    expect(info.digest).toBe(expected.Digest);
    const manifestAsks = hub.requests.filter(r =>
      r.path.startsWith('/v2/yesw2000/ml-base/manifests/')
    );
    expect(manifestAsks[0].auth).toBeNull();
    expect(manifestAsks[1].auth).toBe(
      'Bearer test-token:repository:yesw2000/ml-base:pull'
    );
    const pages = hub.requests.filter(r =>
      r.path.startsWith('/v2/repositories/yesw2000/ml-base/tags')
    );
    expect(
      pages.map(r => new URL(r.path, hub.url).searchParams.get('page') ?? '1')
    ).toEqual(['1', '2', '3']);
    expect(
      pages.every(
        r => new URL(r.path, hub.url).searchParams.get('page_size') === '100'
      )
    ).toBe(true);
  });

  it('reads the pull limit from the headers, says unlimited without them, and logs in with auth.json', async () => {
    hub.options.rateLimit = { limit: '100;w=21600', remaining: '76;w=21600' };
    const limited = await mlc(['pull-limit']);
    expect(limited.code).toBe(0);
    expect(resultOf(limited.stdout)).toMatchObject({
      limited: true,
      limit: { count: 100, windowSeconds: 21600 },
      remaining: { count: 76, windowSeconds: 21600 },
      account: null
    });
    const human = await runMlcAsync(['pull-limit'], {
      env: {
        NODE_EXTRA_CA_CERTS: ca.caFile,
        MLC_DOCKERHUB_REGISTRY_URL: hub.url,
        MLC_DOCKERHUB_AUTH_URL: `${hub.url}/token`,
        HOME: scratch.dir
      }
    });
    expect(human.stdout).toMatch(/76 per 6 h remaining of 100 per 6 h/);

    hub.options.rateLimit = null;
    const unlimited = await runMlcAsync(['pull-limit'], {
      env: {
        NODE_EXTRA_CA_CERTS: ca.caFile,
        MLC_DOCKERHUB_REGISTRY_URL: hub.url,
        MLC_DOCKERHUB_AUTH_URL: `${hub.url}/token`,
        HOME: scratch.dir
      }
    });
    expect(unlimited.code).toBe(0);
    expect(unlimited.stdout).toMatch(/no pull limit/);

    const authFile = path.join(scratch.dir, 'auth.json');
    fs.writeFileSync(
      authFile,
      JSON.stringify({
        auths: {
          'docker.io': {
            auth: Buffer.from('physicist:s3cret').toString('base64')
          }
        }
      })
    );
    hub.requests.length = 0;
    const loggedIn = await mlc(['pull-limit'], {
      REGISTRY_AUTH_FILE: authFile
    });
    expect(resultOf(loggedIn.stdout)).toMatchObject({
      account: 'physicist',
      limited: false
    });
    const tokenAsk = hub.requests.find(r => r.path.startsWith('/token'));
    expect(tokenAsk?.auth).toBe(
      `Basic ${Buffer.from('physicist:s3cret').toString('base64')}`
    );
    expect(tokenAsk?.path).toContain(
      'scope=repository%3Aratelimitpreview%2Ftest%3Apull'
    );
  });

  it('refuses a server whose certificate another CA signed, with one line, every time', async () => {
    for (const args of [['pull-limit'], ['info', 'ml-base']]) {
      const result = await runMlcAsync(args, {
        env: {
          NODE_EXTRA_CA_CERTS: ca.caFile,
          MLC_DOCKERHUB_REGISTRY_URL: rogue.url,
          MLC_DOCKERHUB_AUTH_URL: `${rogue.url}/token`,
          MLC_DOCKERHUB_HUB_URL: rogue.url,
          HOME: scratch.dir
        }
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        /certificate of 127\.0\.0\.1:\d+ failed verification/
      );
      expect(rogue.requests).toHaveLength(0);
    }
  });

  it('says in one line when the registry is down or the image is not there', async () => {
    const gone = await runMlcAsync(['info', 'gone', '--catalogue', catalogue], {
      cwd: scratch.dir
    });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/was not found in the registry/);
    const down = await runMlcAsync(['info', 'ml-base'], {
      env: {
        MLC_DOCKERHUB_REGISTRY_URL: 'http://127.0.0.1:9',
        MLC_DOCKERHUB_HUB_URL: 'http://127.0.0.1:9'
      }
    });
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/cannot reach 127\.0\.0\.1:9/);
  });

  it('lists packages from the first source that answers: an unpacked copy, then the URL', async () => {
    const fromCvmfs = await mlc(['packages', 'single:oci']);
    expect(fromCvmfs.code).toBe(0);
    expect(resultOf(fromCvmfs.stdout)).toMatchObject({
      source: path.join(
        scratch.dir,
        'cvmfs',
        'single',
        'list-of-pkgs-inside.txt'
      ),
      packages: [
        { name: 'numpy', version: '1.26.4' },
        { name: 'scipy', version: '1.11.0' }
      ]
    });
    const table = await runMlcAsync(
      ['packages', 'single:oci', '--catalogue', catalogue],
      { cwd: scratch.dir }
    );
    expect(table.stdout).toMatch(
      /^Found imageName= single:oci\n.*\nName Version\n\u2500+\nnumpy 1\.26\.4\nscipy 1\.11\.0\n$/
    );

    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/list.txt' ? 200 : 404);
      res.end(req.url === '/list.txt' ? 'pandas 2.2.0\n' : '');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const urlCatalogue = path.join(scratch.dir, 'url-catalogue.json');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list.txt`;
      fs.writeFileSync(
        urlCatalogue,
        JSON.stringify({
          schemaVersion: 1,
          replaceDefaults: true,
          images: [
            {
              name: 'remote',
              tag: 'v1',
              reference: `${registry.host}/test/absent:v1`,
              flavour: 'cpu',
              python: '3.11',
              cvmfsPaths: ['/nonexistent/mlc'],
              packageListUrl: url
            }
          ]
        })
      );
      const fromUrl = await runMlcAsync(
        ['--json', 'packages', 'remote', '--catalogue', urlCatalogue],
        { cwd: scratch.dir }
      );
      expect(fromUrl.code).toBe(0);
      expect(resultOf(fromUrl.stdout)).toMatchObject({
        source: url,
        packages: [{ name: 'pandas', version: '2.2.0' }]
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const nowhere = await runMlcAsync(
      ['packages', 'gone', '--catalogue', catalogue],
      { cwd: scratch.dir, env: { PATH: '/nonexistent' } }
    );
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/no package list found for gone:v1/);
  });

  it('refuses a malformed catalogue with one line naming the problem', async () => {
    const bad = path.join(scratch.dir, 'bad-catalogue.json');
    for (const text of [
      '{not json',
      JSON.stringify({
        schemaVersion: 1,
        images: [
          {
            name: 'x',
            tag: 'y',
            reference: 'Not A Reference',
            flavour: 'cpu',
            python: '3.11'
          }
        ]
      }),
      JSON.stringify({ schemaVersion: 9, images: [] })
    ]) {
      fs.writeFileSync(bad, text);
      const result = await runMlcAsync(['images', '--catalogue', bad], {
        cwd: scratch.dir
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('bad-catalogue.json');
    }
    const viaEnv = await runMlcAsync(['images'], {
      cwd: scratch.dir,
      env: { MLC_CATALOGUE: bad }
    });
    expect(viaEnv.code).toBe(2);
  });
});
