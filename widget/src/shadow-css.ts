/**
 * Puts CSS into a shadow root. A constructed stylesheet first: it is CSSOM, so pages whose
 * Content-Security-Policy forbids inline `<style>` still style the widget; `<style>` otherwise.
 */
export function addShadowCss(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  } catch {
    // Older browsers: no constructable stylesheets.
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.prepend(style);
}
