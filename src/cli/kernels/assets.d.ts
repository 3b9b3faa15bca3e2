// The kernel-spec logos under kernelspecs/, embedded in the mlc bundle by
// scripts/build-cli.mjs (esbuild loaders: .svg as text, .png as bytes).
// Declared per file, not as '*.svg'/'*.png', so they never clash with the
// browser code's declarations for its own assets.
declare module '*/kernelspecs/logo-svg.svg' {
  const text: string;
  export default text;
}

declare module '*/kernelspecs/logo-32x32.png' {
  const bytes: Uint8Array;
  export default bytes;
}

declare module '*/kernelspecs/logo-64x64.png' {
  const bytes: Uint8Array;
  export default bytes;
}
