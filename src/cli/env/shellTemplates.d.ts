// The env shell templates under src/cli/env/templates/, embedded in the mlc bundle as
// text by scripts/build-cli.mjs (esbuild loader: .sh as text).
declare module '*.sh' {
  const text: string;
  export default text;
}
