/**
 * The fingerprint of what an env's kernel runs (issue 17): the image's
 * identity (a digest of the base's image.json, with its name, tag and build
 * date to name it) and the env's own package set (its dist-info directories
 * and the conda-meta records that are not copies of the base's). A worker
 * or batch job recomputes it at start with FINGERPRINT_CHECK_PY and refuses
 * to start when it differs, naming the first difference in one line.
 *
 * Only directory listings are read, never a package's files: the check
 * costs two imports (json, hashlib) and two readdirs in the worker's own
 * interpreter (bench/fingerprint.mjs).
 * When the env-life work records revisions and an image identity of its
 * own, `envFingerprint` can take them from there; the check stays the same.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import type { EnvRecord } from '../../core/envRecord';
import { IMAGE_JSON_FILE, IMAGE_KERNEL_NAMES } from '../../core/kernelspec';
import { readRegularFile } from '../fs/regularFile';
import { BASE_RECORDS_FILE } from './mirror';

/** image.json larger than this is not read (as readBaseImage's limit would refuse it anyway). */
const MAX_IMAGE_JSON_BYTES = 1 << 26;

/** What the worker compares (passed to the check by fingerprintArgument). */
export interface IFingerprint {
  /** The env's prefix and its site-packages, as the kernel sees them. */
  env: string;
  site: string;
  /** The base's image.json, its digest (first 16 hex of sha256, or `none`) and a readable name. */
  imageJson: string;
  image: string;
  imageName: string;
  /** `pip:NAME` / `conda:NAME` -> version (conda: `version-build`), the env's own packages only. */
  packages: Record<string, string>;
}

/** The fingerprint of the env at `envDir` now. */
export function envFingerprint(
  envDir: string,
  record: EnvRecord
): IFingerprint {
  const site = `${envDir}/lib/python${record.python}/site-packages`;
  const imageJson = `${record.basePrefix}/share/jupyter/kernels/${IMAGE_KERNEL_NAMES.isolated}/${IMAGE_JSON_FILE}`;
  const image = Private.imageIdentity(imageJson);
  return {
    env: envDir,
    site,
    imageJson,
    image: image.digest,
    imageName: image.name,
    packages: Private.sorted({
      ...Private.distInfos(site),
      ...Private.ownCondaRecords(`${envDir}/conda-meta`)
    })
  };
}

/** A short digest of the whole fingerprint, to show people and compare by eye. */
export function fingerprintDigest(fingerprint: IFingerprint): string {
  const text = [
    fingerprint.image,
    ...Object.entries(fingerprint.packages).map(([k, v]) => `${k}=${v}`)
  ].join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * The fingerprint as the check's one argument: lines (format `1`, env,
 * site, image.json, digest, image name, then `KEY=VERSION` each), every
 * field percent-encoded outside plain characters (UTF-8 bytes), so no
 * field holds a newline or `=` and the check needs no JSON parser (whose
 * import, with `re`, costs more than the rest of the check).
 */
export function fingerprintArgument(fingerprint: IFingerprint): string {
  return [
    '1',
    fingerprint.env,
    fingerprint.site,
    fingerprint.imageJson,
    fingerprint.image,
    fingerprint.imageName,
    ...Object.entries(fingerprint.packages).map(
      ([key, version]) => `${Private.encode(key)}=${Private.encode(version)}`
    )
  ]
    .map((field, index) => (index < 6 ? Private.encode(field) : field))
    .join('\n');
}

/**
 * The worker-side check, with the fingerprint JSON in sys.argv[1]: in the
 * worker's interpreter before it runs what was appended, or in `python -I -S`
 * before a batch job's command (./workerCommand.ts). It must list and parse
 * exactly as `envFingerprint` does. Returns when equal; otherwise one line on
 * stderr and exit 3.
 */
export const FINGERPRINT_CHECK_PY = [
  'import sys,os',
  'def u(s):',
  ' if "%" not in s:return s',
  ' p=s.split("%");o=bytearray(p[0].encode())',
  ' for q in p[1:]:o.append(int(q[:2],16));o+=q[2:].encode()',
  ' return o.decode("utf-8","surrogateescape")',
  'L=sys.argv[1].split("\\n")',
  'def say(m):',
  ' sys.stderr.write("mlc worker: refusing to start: "+m+"; run the mlc env command (worker-command, dask-config or job-script) again\\n");sys.exit(3)',
  'if L[0]!="1" or len(L)<6:say("the fingerprint is of an unknown format")',
  'env,site,ij,image,iname=[u(f) for f in L[1:6]]',
  'w=dict((u(k),u(v)) for k,_,v in (l.partition("=") for l in L[6:]))',
  'def ls(p):',
  ' try:return os.listdir(p)',
  ' except OSError:return []',
  'got={}',
  'for n in ls(site):',
  ' if n.endswith(".dist-info"):',
  '  s=n[:-10];i=s.rfind("-")',
  '  if i>0:got["pip:"+s[:i]]=s[i+1:]',
  'c=env+"/conda-meta"',
  'try:',
  ' with open(c+"/.mlc-base-records") as f:base=set(f.read().split("\\n"))',
  'except OSError:base=set()',
  'for n in ls(c):',
  ' if n.endswith(".json") and n not in base:',
  '  s=n[:-5];j=s.rfind("-");i=s.rfind("-",0,j) if j>0 else -1',
  '  if i>0:got["conda:"+s[:i]]=s[i+1:]',
  // The sha256 module of the stdlib, not hashlib (which loads OpenSSL).
  'try:from _sha2 import sha256',
  'except ImportError:',
  ' try:from _sha256 import sha256',
  ' except ImportError:from hashlib import sha256',
  'try:',
  ' with open(ij,"rb") as f:b=f.read()',
  ' h=sha256(b).hexdigest()[:16]',
  'except OSError:b=None;h="none"',
  'if h!=image:',
  ' try:',
  '  import json;d=json.loads(b);n="%s:%s built %s"%(d.get("name"),d.get("tag"),d.get("buildDate"))',
  ' except Exception:n="no image.json"',
  ' say("the image build differs: the kernel ran %s (%s), this is %s (%s)"%(iname,image,n,h))',
  'for k in sorted(set(w)|set(got)):',
  ' a=w.get(k);b=got.get(k)',
  ' if a!=b:',
  '  more=sum(1 for q in set(w)|set(got) if w.get(q)!=got.get(q))-1',
  '  say("package %s differs: the kernel had %s, here %s%s"%(k.split(":",1)[1],a or "none",b or "none",(" (and %d more)"%more) if more else ""))'
].join('\n');

namespace Private {
  export function imageIdentity(file: string): {
    digest: string;
    name: string;
  } {
    const read = readRegularFile(file, { maxBytes: MAX_IMAGE_JSON_BYTES });
    if (!read.ok) {
      return { digest: 'none', name: 'no image.json' };
    }
    const digest = createHash('sha256')
      .update(read.text)
      .digest('hex')
      .slice(0, 16);
    let name = 'an unreadable image.json';
    try {
      const data = JSON.parse(read.text) as Record<string, unknown>;
      name = `${String(data.name)}:${String(data.tag)} built ${String(data.buildDate)}`;
    } catch {
      // The digest still tells builds apart.
    }
    return { digest, name };
  }

  export function list(dir: string): string[] {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  }

  /** `name-version.dist-info` -> pip:name = version. */
  export function distInfos(site: string): Record<string, string> {
    const found: Record<string, string> = {};
    for (const entry of list(site)) {
      if (!entry.endsWith('.dist-info')) {
        continue;
      }
      const stem = entry.slice(0, -'.dist-info'.length);
      const cut = stem.lastIndexOf('-');
      if (cut > 0) {
        found[`pip:${stem.slice(0, cut)}`] = stem.slice(cut + 1);
      }
    }
    return found;
  }

  /** conda-meta records not listed as copies of the base's: conda:name = version-build. */
  export function ownCondaRecords(dir: string): Record<string, string> {
    const read = readRegularFile(`${dir}/${BASE_RECORDS_FILE}`, {
      maxBytes: 1 << 24,
      followLinks: false
    });
    const copied = new Set(read.ok ? read.text.split('\n') : []);
    const found: Record<string, string> = {};
    for (const entry of list(dir)) {
      if (!entry.endsWith('.json') || copied.has(entry)) {
        continue;
      }
      const stem = entry.slice(0, -'.json'.length);
      const buildCut = stem.lastIndexOf('-');
      const versionCut =
        buildCut > 0 ? stem.lastIndexOf('-', buildCut - 1) : -1;
      if (versionCut > 0) {
        found[`conda:${stem.slice(0, versionCut)}`] = stem.slice(
          versionCut + 1
        );
      }
    }
    return found;
  }

  /** Percent-encode (as UTF-8) everything outside plain characters, `%` and `=` included. */
  export function encode(text: string): string {
    return text.replace(/[^A-Za-z0-9_.:,+@~/ -]+/gu, run =>
      Array.from(Buffer.from(run, 'utf-8'))
        .map(byte => `%${byte.toString(16).padStart(2, '0')}`)
        .join('')
    );
  }

  export function sorted(map: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    );
  }
}
