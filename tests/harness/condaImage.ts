/**
 * The set-up of the tests of `mlc env install --conda`: a copy of the test
 * image with the micromamba stand-in at `<image>/bin/micromamba`, a local
 * channel of `packages`, and a directory for the user's envs.
 */
import {
  buildCondaChannel,
  installMicromambaStandIn,
  type ICondaTestPackage
} from './micromambaStandIn';
import {
  copyBase,
  useEnvFixture,
  userDir,
  type IEnvFixture
} from './unprivilegedBase';

export interface ICondaImage {
  fixture: IEnvFixture;
  /** The image (a copy of the test base, owned by root) with the stand-in. */
  image: string;
  /** The local channel's file:// URL. */
  channel: string;
  /** The user's directory for envs. */
  envs: string;
}

/** Set up before all tests of the file (the fields are filled then). */
export function useCondaImage(
  label: string,
  packages: ICondaTestPackage[]
): ICondaImage {
  const fixture = useEnvFixture(label);
  const setup = { fixture } as ICondaImage;
  beforeAll(() => {
    setup.image = copyBase(fixture.base, `${fixture.scratch}/image`);
    installMicromambaStandIn(setup.image);
    setup.channel = buildCondaChannel(`${fixture.scratch}/channel`, packages);
    setup.envs = userDir(`${fixture.scratch}/envs`);
  }, 600000);
  return setup;
}

/** The argv of `mlc env install ENV --conda --channel CHANNEL [flags] -- SPEC...`. */
export function condaInstallArgs(
  env: string,
  channel: string,
  specs: string[],
  flags: string[] = []
): string[] {
  return [
    'env',
    'install',
    env,
    '--conda',
    '--channel',
    channel,
    ...flags,
    '--',
    ...specs
  ];
}
