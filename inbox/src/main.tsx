import { render } from 'preact';
import { ControllerContext } from './context.js';
import { InboxController } from './state/controller.js';
import { parseRoute } from './state/router.js';
import { initialState, Store } from './state/store.js';
import { installShortcuts } from './shortcuts-dom.js';
import { App } from './views/App.js';
import './styles.css';

const store = new Store(initialState(location.pathname));
const ctl = new InboxController(store);
window.addEventListener('popstate', () => ctl.navigate(parseRoute(location.pathname), false));
document.addEventListener('visibilitychange', () => {
  const r = store.get().route;
  if (document.visibilityState === 'visible' && r.view === 'conversations' && r.id) ctl.markRead(r.id);
});
installShortcuts(ctl);
render(
  <ControllerContext.Provider value={ctl}>
    <App />
  </ControllerContext.Provider>,
  document.getElementById('app')!,
);
void ctl.init();
