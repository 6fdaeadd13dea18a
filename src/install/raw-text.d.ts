// Files imported with a "?raw" suffix are their text: vite does it in tests, build/bundle.mjs in the bundle.

declare module '*?raw' {
  const text: string;
  export default text;
}
