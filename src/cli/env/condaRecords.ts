/**
 * What a conda-meta record of the env says about where its package came
 * from: the channel (for `-c` when the package is installed again by
 * rollback, create --from or rebase) and the archive's digests (for the
 * lock file). The record is the installer's file in the user's env: read
 * bounded, never through a link, each value validated.
 */
import {
  CONDA_MD5_PATTERN,
  CONDA_SHA256_PATTERN,
  channelOfRecord
} from '../../core/condaSpec';
import { readRegularFile } from '../fs/regularFile';

export interface ICondaOrigin {
  channel?: string;
  sha256?: string;
  md5?: string;
}

/** The channel and digests of the record at `file`; {} when unreadable. */
export function condaRecordOrigin(file: string): ICondaOrigin {
  const read = readRegularFile(file, {
    maxBytes: 64 << 20,
    followLinks: false,
    strictUtf8: true
  });
  if (!read.ok) {
    return {};
  }
  let raw: Record<string, unknown>;
  try {
    raw = (JSON.parse(read.text) ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
  const origin: ICondaOrigin = {};
  const channel = channelOfRecord(raw.channel);
  if (channel) {
    origin.channel = channel;
  }
  if (typeof raw.sha256 === 'string' && CONDA_SHA256_PATTERN.test(raw.sha256)) {
    origin.sha256 = raw.sha256;
  }
  if (typeof raw.md5 === 'string' && CONDA_MD5_PATTERN.test(raw.md5)) {
    origin.md5 = raw.md5;
  }
  return origin;
}
