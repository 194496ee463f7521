/** `import css from './x.css?inline'`: Vite hands the CSS over as a string (for the shadow root). */
declare module '*.css?inline' {
  const css: string;
  export default css;
}
