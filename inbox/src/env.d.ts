/** `import './styles.css'`: Vite emits the stylesheet as a hashed asset linked from index.html. */
declare module '*.css';
