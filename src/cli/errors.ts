/**
 * The one kind of failure `mlc` reports to users: what is wrong and what to
 * do, in one line, with a non-zero exit. Anything else escaping a command is
 * a bug and is reported as such.
 */
export class UserError extends Error {
  /**
   * @param message what is wrong, e.g. `no Python interpreter in /opt/conda/bin`
   * @param hint what to do about it, e.g. `pass --python X.Y`
   * @param exitCode 2 for bad usage or input, 1 for a failed operation
   */
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 2
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** The single line shown to the user. */
  get line(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message;
  }
}
