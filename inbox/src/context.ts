import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { InboxController } from './state/controller.js';
import type { State } from './state/store.js';

export const ControllerContext = createContext<InboxController | null>(null);

/** The controller and the current state; re-renders on every state change. */
export function useInbox(): [State, InboxController] {
  const ctl = useContext(ControllerContext);
  if (!ctl) throw new Error('useInbox outside ControllerContext');
  const [state, setState] = useState(ctl.store.get());
  useEffect(() => {
    const update = () => setState(ctl.store.get());
    const unsubscribe = ctl.store.subscribe(update);
    // Effects run after the first paint: a change made in between (say the session check
    // answering 401 quickly) had no subscriber yet, and the view stayed on "Loading…" for good.
    update();
    return unsubscribe;
  }, [ctl]);
  return [state, ctl];
}
