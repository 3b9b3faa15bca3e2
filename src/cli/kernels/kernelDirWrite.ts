/**
 * Write a set of directories and files so that an interruption never leaves
 * half of one: everything is first written beside its target (staging),
 * then renamed into place (commit). A failure while staging removes what
 * was staged, and the directories made for it, so nothing is left behind.
 *
 * A directory is staged in `<parent>/.mlc-staging-<pid>/`: Jupyter never
 * takes that for a kernel spec (it has no kernel.json of its own), so a
 * crash cannot make a half-written spec visible. An existing target is
 * renamed aside into the same staging directory, the new one renamed in,
 * and the old one removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { errnoWords } from '../fs/errors';
import { writeNewFile } from '../fs/stagedWrite';

export type FileContent = string | Uint8Array;

/** Modes set explicitly, whatever the umask: images are read by every user. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

export class StagedWrite {
  /**
   * Refuse, before anything is written, when a target's directory cannot be
   * written (or made): the one-line error names the first such directory.
   * Staging would find out too, but only after writing something to undo.
   */
  static checkWritable(targets: readonly string[]): void {
    for (const target of targets) {
      let dir = path.dirname(target);
      while (!Private.exists(dir)) {
        dir = path.dirname(dir);
      }
      Private.attempt(dir, () => {
        if (!fs.statSync(dir).isDirectory()) {
          throw Object.assign(new Error(`${dir} is not a directory`), {
            code: 'ENOTDIR'
          });
        }
        fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
      });
    }
  }

  /** Stage `files` as the whole content of directory `target`. */
  stageDirectory(
    target: string,
    files: ReadonlyArray<readonly [string, FileContent]>
  ): void {
    const staging = this._stagingIn(path.dirname(target));
    const staged = path.join(staging, path.basename(target));
    Private.attempt(target, () => {
      fs.mkdirSync(staged);
      fs.chmodSync(staged, DIR_MODE);
      for (const [name, content] of files) {
        Private.writeDurably(path.join(staged, name), content);
      }
    });
    this._dirs.push({ target, staged, staging });
  }

  /** Stage `content` to replace file `target`. */
  stageFile(target: string, content: FileContent): void {
    const dir = path.dirname(target);
    this._ensureDir(dir);
    const staged = path.join(
      dir,
      `.${path.basename(target)}.mlc-tmp-${process.pid}`
    );
    Private.attempt(target, () => {
      fs.rmSync(staged, { force: true });
      this._tempFiles.push(staged);
      Private.writeDurably(staged, content);
    });
    this._files.push({ target, staged });
  }

  /** Rename everything staged into place, then remove the staging directories. */
  commit(): void {
    for (const { target, staged, staging } of this._dirs) {
      const aside = path.join(staging, `${path.basename(target)}.old`);
      Private.attempt(target, () =>
        Private.replaceDirectory(target, staged, aside)
      );
    }
    for (const { target, staged } of this._files) {
      Private.attempt(target, () => fs.renameSync(staged, target));
    }
    for (const staging of this._stagings) {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    this._reset();
  }

  /** Undo the staging: remove staged content and the directories made for it. */
  abort(): void {
    for (const staging of this._stagings) {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    for (const file of this._tempFiles) {
      fs.rmSync(file, { force: true });
    }
    for (const dir of [...this._createdDirs].reverse()) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    this._reset();
  }

  /** The staging directory in `parent`, made (with `parent`) on first use. */
  private _stagingIn(parent: string): string {
    const staging = path.join(parent, `.mlc-staging-${process.pid}`);
    if (!this._stagings.includes(staging)) {
      this._ensureDir(parent);
      Private.attempt(parent, () => Private.removeStale(parent));
      Private.attempt(parent, () => fs.mkdirSync(staging));
      this._stagings.push(staging);
    }
    return staging;
  }

  /** `mkdir -p`, remembering each directory made (abort removes them). */
  private _ensureDir(dir: string): void {
    const missing: string[] = [];
    for (
      let current = dir;
      !Private.exists(current);
      current = path.dirname(current)
    ) {
      missing.unshift(current);
    }
    for (const made of missing) {
      Private.attempt(made, () => {
        fs.mkdirSync(made);
        this._createdDirs.push(made);
        fs.chmodSync(made, DIR_MODE);
      });
    }
  }

  private _reset(): void {
    this._dirs = [];
    this._files = [];
    this._stagings = [];
    this._tempFiles = [];
    this._createdDirs = [];
  }

  private _dirs: Array<{ target: string; staged: string; staging: string }> =
    [];
  private _files: Array<{ target: string; staged: string }> = [];
  private _stagings: string[] = [];
  private _tempFiles: string[] = [];
  private _createdDirs: string[] = [];
}

namespace Private {
  export function exists(file: string): boolean {
    try {
      fs.lstatSync(file);
      return true;
    } catch {
      return false;
    }
  }

  /** Write, flush to disk and set the mode: a renamed-in file is whole (the one writer, ../fs/stagedWrite.ts). */
  export function writeDurably(file: string, content: FileContent): void {
    writeNewFile(file, content, FILE_MODE);
  }

  /** Rename aside, rename in, remove aside; put the old one back if the rename in fails. */
  export function replaceDirectory(
    target: string,
    staged: string,
    aside: string
  ): void {
    let hadOld = true;
    try {
      fs.renameSync(target, aside);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EXDEV') {
        // overlayfs (a container build) cannot rename a directory from a
        // lower image layer, e.g. the python3 spec ipykernel's package put
        // there: remove it instead. Only this short window is not atomic.
        fs.rmSync(target, { recursive: true, force: true });
        hadOld = false;
      } else if (code === 'ENOENT') {
        hadOld = false;
      } else {
        throw error;
      }
    }
    try {
      fs.renameSync(staged, target);
    } catch (error) {
      if (hadOld) {
        try {
          fs.renameSync(aside, target);
        } catch {
          // A concurrent install put its own (complete) spec in: keep that one.
        }
      }
      throw error;
    }
  }

  /** Leftovers of an `mlc` that was killed: staging names carry the pid. */
  export function removeStale(dir: string): void {
    for (const name of fs.readdirSync(dir)) {
      const match =
        /^\.mlc-staging-(\d+)$/.exec(name) ??
        /^\..+\.mlc-tmp-(\d+)$/.exec(name);
      if (match && !isAlive(Number(match[1]))) {
        fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      }
    }
  }

  function isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** Run a file-system step; turn its failure into one line naming the path. */
  export function attempt(file: string, step: () => void): void {
    try {
      step();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(
        `cannot write ${file} (${describe(code, error)})`,
        hintFor(code),
        1
      );
    }
  }

  /** The words of the one errno map (../fs/errors.ts), else the error's own first line. */
  function describe(code: string | undefined, error: unknown): string {
    return errnoWords(code) ?? (error as Error).message.split('\n')[0];
  }

  function hintFor(code: string | undefined): string {
    return code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'run it as a user who can write the prefix (as in the image build)'
      : 'fix the cause and run it again';
  }
}
