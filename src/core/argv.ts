/**
 * The one rule for a value that mlc read from a file, a registry or another
 * program and passes as an argument to another program (an engine, an
 * installer, a generated script): it is checked as user input is (not
 * empty, no control character, bounded), and it can never be read as an
 * option. A leading `-` is refused here, for every program alike, and the
 * callers also put `--` before operands where the program accepts it
 * (`operandsAfterOptions`), so a value that slipped past would still be an
 * operand. Pure: callers turn a problem into their own error.
 */

/** What is wrong with `value` as an argument of another program, or null. */
export function argumentProblem(
  value: string,
  maxLength = 4096
): string | null {
  if (value.length === 0) {
    return 'is empty';
  }
  if (value.length > maxLength) {
    return `is longer than ${maxLength} characters`;
  }
  if ([...value].some(Private.isControl)) {
    return 'holds a control character';
  }
  if (value.startsWith('-')) {
    return "starts with '-' (another program would read it as an option)";
  }
  return null;
}

/** The first of `values` with a problem, as `{ value, problem }`, or null. */
export function firstArgumentProblem(
  values: readonly string[],
  maxLength?: number
): { value: string; problem: string } | null {
  for (const value of values) {
    const problem = argumentProblem(value, maxLength);
    if (problem) {
      return { value, problem };
    }
  }
  return null;
}

/**
 * `--` then the operands: for programs that end their options at `--`
 * (podman, docker, nerdctl, apptainer, pip, micromamba, conda).
 */
export function operandsAfterOptions(operands: readonly string[]): string[] {
  return ['--', ...operands];
}

namespace Private {
  export function isControl(char: string): boolean {
    const code = char.charCodeAt(0);
    return code < 0x20 || code === 0x7f;
  }
}
