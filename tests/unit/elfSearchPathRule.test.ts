/** Which RPATH/RUNPATH entries an image keeps (src/cli/image/elf/searchPathRule.ts). */
import {
  DEFAULT_BUILD_DIRS,
  repairSearchPath
} from '../../src/cli/image/elf/searchPathRule';

const DROP = ['/opt/conda', ...DEFAULT_BUILD_DIRS];

describe('repairSearchPath', () => {
  it("repairs the seed's root.exe RPATH to its $ORIGIN entries", () => {
    const seed =
      '/opt/conda/lib:$ORIGIN:$ORIGIN/../lib:/home/conda/feedstock_root/build_artifacts/root_base_1689430670413/_build_env/lib';
    expect(repairSearchPath(seed, DROP)).toEqual({
      kept: '$ORIGIN:$ORIGIN/../lib',
      dropped: [
        '/opt/conda/lib',
        '/home/conda/feedstock_root/build_artifacts/root_base_1689430670413/_build_env/lib'
      ]
    });
  });

  it('keeps $ORIGIN, loader tokens and unrelated absolute entries in order', () => {
    const value = '${ORIGIN}/x:/usr/lib64:$LIB/y:/opt/condax/lib';
    expect(repairSearchPath(value, DROP)).toEqual({ kept: value, dropped: [] });
  });

  it('drops build-env components anywhere, the prefix itself, empty entries and .. tricks', () => {
    const value =
      '/work/conda-bld/pkg_1/_h_env_placehold/lib::/opt/conda:/usr/../opt/conda/lib64:/opt//conda/./lib:$ORIGIN';
    expect(repairSearchPath(value, DROP)).toEqual({
      kept: '$ORIGIN',
      dropped: [
        '/work/conda-bld/pkg_1/_h_env_placehold/lib',
        '',
        '/opt/conda',
        '/usr/../opt/conda/lib64',
        '/opt//conda/./lib'
      ]
    });
  });

  it('drops the given directories only', () => {
    expect(
      repairSearchPath('/srv/env/lib:/opt/conda/lib', ['/srv/env']).kept
    ).toBe('/opt/conda/lib');
  });
});
