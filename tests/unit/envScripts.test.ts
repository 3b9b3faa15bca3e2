/**
 * The activation scripts as text: quoting of user text, template tokens,
 * and where the create script finds the base and mlc.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  activationScript,
  createScriptText,
  type IScriptTemplates
} from '../../src/cli/env/scripts';
import { shQuote as quoteWord } from '../../src/core/quote';
import { base64, renderTemplate } from '../../src/cli/env/shellText';

/** How the env scripts quote a template slot. */
const shQuote = (text: string): string => quoteWord(text, 'always');

const dir = path.resolve(
  __dirname,
  '..',
  '..',
  'src',
  'cli',
  'env',
  'templates'
);
const read = (file: string): string =>
  fs.readFileSync(path.join(dir, file), 'utf-8');
const templates: IScriptTemplates = {
  header: read('header.sh'),
  footer: read('footer.sh'),
  activate: read('activate.sh'),
  hostScript: read('setupMe-on-host.sh'),
  containerScript: read('setup-UserEnv-in-container.sh'),
  createNewEnv: read('create-newEnv-on-base.sh')
};

describe('base64', () => {
  it('encodes UTF-8 as base64', () => {
    expect(Buffer.from(base64('ünï'), 'base64').toString('utf-8')).toBe('ünï');
  });
});

describe('renderTemplate', () => {
  it('replaces every token and refuses a token without a value', () => {
    expect(
      renderTemplate('a @MLC_X@ b @MLC_X@ @MLC_Y_2@', { X: '1', Y_2: '2' })
    ).toBe('a 1 b 1 2');
    expect(() => renderTemplate('@MLC_MISSING@', {})).toThrow(
      'template token @MLC_MISSING@ has no value'
    );
  });
});

describe('activationScript', () => {
  const facts = {
    envPrefix: "/e/it's $(touch x)",
    basePrefix: '/opt/conda',
    envName: "it's $(touch x)",
    mode: 'host' as const
  };

  it('writes setupMe-on-host.sh with user text only as single-quoted words', () => {
    const { file, text } = activationScript(templates, facts);
    expect(file).toBe('setupMe-on-host.sh');
    expect(text).not.toMatch(/@MLC_[A-Z_]+@/);
    expect(text).toContain(`_mlc_env=${shQuote(facts.envPrefix)}\n`);
    expect(text).toContain(`_mlc_name=${shQuote(facts.envName)}\n`);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text.trimEnd().endsWith('mlc_csh_end:')).toBe(true);
    // Wherever the name occurs, it is inside single quotes (nothing there is special to sh).
    const unquoted = text
      .split('\n')
      .filter(line => !/^\s*#/.test(line))
      .map(Private.outsideSingleQuotes);
    expect(unquoted.filter(line => line.includes('touch x'))).toEqual([]);
    expect(text.split('$(touch x)').length).toBeGreaterThan(3);
  });

  it('writes setup-UserEnv-in-container.sh with the image and each bind quoted, the env bound first', () => {
    const { file, text } = activationScript(templates, {
      ...facts,
      mode: 'container',
      containerImage: '/cvmfs/x/ml-base:tag',
      bindPaths: ['/data x', facts.envPrefix]
    });
    expect(file).toBe('setup-UserEnv-in-container.sh');
    expect(text).toContain(
      `_mlc_binds=( -B ${shQuote(facts.envPrefix)} -B '/data x' )`
    );
    expect(text).toContain("_mlc_image='/cvmfs/x/ml-base:tag'");
  });

  it('needs the image in container mode', () => {
    expect(() =>
      activationScript(templates, { ...facts, mode: 'container' })
    ).toThrow('container image');
  });
});

describe('createScriptText', () => {
  it('finds the base and mlc relative to itself when they lie below it', () => {
    const text = createScriptText(templates, {
      scriptPath: '/create-newEnv-on-base.sh',
      base: { relative: 'opt/conda' },
      command: [{ relative: 'opt/conda/bin/mlc' }]
    });
    expect(text).toContain('_mlc_base="$_mlc_dir"/\'opt/conda\'\n');
    expect(text).toContain('_mlc_cmd=( "$_mlc_dir"/\'opt/conda/bin/mlc\' )');
  });

  it('names them absolutely otherwise', () => {
    const text = createScriptText(templates, {
      scriptPath: '/x/create-newEnv-on-base.sh',
      base: { absolute: '/opt/conda' },
      command: [{ absolute: '/usr/bin/node' }, { absolute: '/src/mlc.cjs' }]
    });
    expect(text).toContain("_mlc_base='/opt/conda'\n");
    expect(text).toContain("_mlc_cmd=( '/usr/bin/node' '/src/mlc.cjs' )");
  });
});

namespace Private {
  /** The parts of a line of sh that the shell parses: without '...' strings and backslash-escaped characters. */
  export function outsideSingleQuotes(line: string): string {
    let out = '';
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\\') {
        i++;
      } else if (line[i] === "'") {
        const end = line.indexOf("'", i + 1);
        i = end < 0 ? line.length : end;
      } else {
        out += line[i];
      }
    }
    return out;
  }
}
