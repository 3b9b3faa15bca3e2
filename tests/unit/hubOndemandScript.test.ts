/**
 * The Open OnDemand session script (`mlc hub ondemand-script`): its exact
 * text for each engine, the GPU rule, and bad input refused with one line.
 */
import { UserError } from '../../src/cli/errors';
import {
  looksLikeGpuImage,
  renderOndemandScript,
  splitBinds,
  type IOndemandRequest
} from '../../src/cli/hub/ondemandScript';

const HEADER = [
  '# Written by `mlc hub ondemand-script` (jupyterlab-ml-containers). Source it in an',
  '# Open OnDemand "custom image" Jupyter session: `jupyter ...` then runs in the image.',
  'unalias jupyter 2>/dev/null || true',
  'jupyter() {'
];

function script(request: Partial<IOndemandRequest>): string {
  return renderOndemandScript({
    engine: 'apptainer',
    image: '/sdf/img.sif',
    binds: [],
    gpu: false,
    ...request
  });
}

function body(text: string): string {
  const lines = text.split('\n');
  expect(lines.slice(0, 4)).toEqual(HEADER);
  expect(lines.slice(5)).toEqual(['}', '']);
  return lines[4];
}

describe('mlc hub ondemand-script text', () => {
  it('is the SLAC shape for Apptainer and Singularity', () => {
    const binds = splitBinds(['/sdf,/cvmfs']);
    expect(
      body(
        script({ image: '/sdf/group/ml/ml-torch-gpu.sif', binds, gpu: true })
      )
    ).toBe(
      '    apptainer exec --nv -B /sdf,/cvmfs /sdf/group/ml/ml-torch-gpu.sif jupyter "$@"'
    );
    expect(
      body(
        script({
          engine: 'singularity',
          image: '/cvmfs/unpacked.cern.ch/x/ml-base',
          binds
        })
      )
    ).toBe(
      '    singularity exec -B /sdf,/cvmfs /cvmfs/unpacked.cern.ch/x/ml-base jupyter "$@"'
    );
    expect(body(script({}))).toBe(
      '    apptainer exec /sdf/img.sif jupyter "$@"'
    );
  });

  it('runs podman with the session home and directory, the user id and the binds', () => {
    expect(
      body(
        script({
          engine: 'podman',
          image: 'localhost/ml-base:latest',
          binds: ['/data:/mnt:ro'],
          gpu: true
        })
      )
    ).toBe(
      '    podman run --rm --network=host --userns=keep-id -v "$HOME:$HOME" -w "$PWD" -e HOME="$HOME" ' +
        '--device nvidia.com/gpu=all -v /data:/mnt:ro localhost/ml-base:latest jupyter "$@"'
    );
  });

  it('quotes every value as one shell word', () => {
    expect(
      body(script({ image: "/sdf/it's $HOME/a b.sif", binds: ['/x y'] }))
    ).toBe(
      "    apptainer exec -B '/x y' '/sdf/it'\\''s $HOME/a b.sif' jupyter \"$@\""
    );
  });

  it('passes the GPUs for GPU images only, by name', () => {
    expect(looksLikeGpuImage('/sdf/ml-torch-gpu.sif')).toBe(true);
    expect(looksLikeGpuImage('docker://ghcr.io/x/ml-tensorflow-gpu:2.16')).toBe(
      true
    );
    expect(looksLikeGpuImage('ml-base:cuda12')).toBe(true);
    expect(looksLikeGpuImage('/sdf/ml-tensorflow-cpu.sif')).toBe(false);
    expect(looksLikeGpuImage('/gpu-images/ml-base.sif')).toBe(false);
    expect(looksLikeGpuImage('/sdf/mlgpuish.sif')).toBe(false);
  });

  it.each([
    [{ image: '' }, /IMAGE is empty/],
    [{ image: '/a\nb.sif' }, /IMAGE holds a control character/],
    [{ image: '--nv' }, /starts with '-'/],
    [{ binds: ['sdf'] }, /-B sdf is not an absolute path/],
    [{ binds: ['/sdf:rel'] }, /not an absolute path/],
    [{ binds: ['/sdf:/sdf:xx'] }, /unknown option 'xx'/],
    [{ binds: ['/a,/b'] }, /holds a ','/]
  ])('refuses %j with one line', (request, message) => {
    expect(() => script(request)).toThrow(UserError);
    expect(() => script(request)).toThrow(message);
  });
});
