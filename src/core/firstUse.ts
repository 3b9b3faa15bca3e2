/**
 * A value made on first use, then kept: the zod schemas of the shared core
 * are built this way, so that a module that holds them calls nothing of
 * zod when it is loaded (mlc's bundle then sets zod itself up only when a
 * schema is used: scripts/build-cli.mjs).
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
