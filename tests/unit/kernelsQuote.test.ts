/**
 * Quoting of prefix paths for sh, csh and Dockerfile ENV. The real shells
 * read these back in tests/integration/kernels-install.test.ts; here the
 * exact forms are pinned.
 */
import { cshQuote, dockerfileQuote, shQuote } from '../../src/core/quote';

describe('shQuote', () => {
  it('leaves plain paths alone', () => {
    expect(shQuote('/opt/conda/share/jupyter')).toBe(
      '/opt/conda/share/jupyter'
    );
    expect(
      shQuote('/cvmfs/unpacked.cern.ch/ml-base:alma9-python311/opt/conda')
    ).toBe('/cvmfs/unpacked.cern.ch/ml-base:alma9-python311/opt/conda');
  });

  it('single-quotes anything else and closes around a quote', () => {
    expect(shQuote('/a b')).toBe("'/a b'");
    expect(shQuote("/it's $HOME `x`")).toBe("'/it'\\''s $HOME `x`'");
    expect(shQuote('')).toBe("''");
  });
});

describe('cshQuote', () => {
  it('escapes history substitution even inside single quotes', () => {
    expect(cshQuote('/we!rd')).toBe("'/we\\!rd'");
  });

  it('gives a single quote in double quotes', () => {
    expect(cshQuote("/it's")).toBe("'/it'\"'\"'s'");
  });

  it('keeps $ and backslashes literal inside single quotes', () => {
    expect(cshQuote('/a $b\\c')).toBe("'/a $b\\c'");
  });
});

describe('dockerfileQuote', () => {
  it('leaves plain paths alone, as in ENV JUPYTER_PATH=/opt/conda/share/jupyter', () => {
    expect(dockerfileQuote('/opt/conda/share/jupyter')).toBe(
      '/opt/conda/share/jupyter'
    );
  });

  it('double-quotes and escapes the characters the builder interprets', () => {
    expect(dockerfileQuote('/a b/$X/"q"/\\')).toBe('"/a b/\\$X/\\"q\\"/\\\\"');
  });
});

describe("the 'always' style, for template slots", () => {
  it('quotes plain words too: one single-quoted word, closed and reopened around quotes', () => {
    expect(shQuote('plain', 'always')).toBe("'plain'");
    expect(shQuote('', 'always')).toBe("''");
    expect(shQuote('/opt/conda', 'always')).toBe("'/opt/conda'");
    expect(shQuote('a!b', 'always')).toBe("'a!b'");
    expect(shQuote('énv', 'always')).toBe("'énv'");
    expect(shQuote('it\'s $(x) `y` \\ "z"', 'always')).toBe(
      "'it'\\''s $(x) `y` \\ \"z\"'"
    );
    expect(cshQuote('plain', 'always')).toBe("'plain'");
    expect(cshQuote('a!b', 'always')).toBe("'a\\!b'");
  });
});
