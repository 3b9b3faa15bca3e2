/**
 * The unprivileged test user, as on CVMFS: it can read and run the base
 * prefix but not write it. Created by scripts/ensure-test-user.sh.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { REPO } from './paths';

export const TEST_USER = 'mlc-tester';

export interface ITestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

let cached: ITestUser | null = null;

/** Ensure the user exists (idempotent) and return its ids. */
export function testUser(): ITestUser {
  if (cached) {
    return cached;
  }
  execFileSync('bash', [path.join(REPO, 'scripts', 'ensure-test-user.sh')], {
    stdio: 'pipe'
  });
  const uid = Number(execFileSync('id', ['-u', TEST_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', TEST_USER]).toString().trim());
  cached = { name: TEST_USER, uid, gid, home: `/home/${TEST_USER}` };
  return cached;
}
