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
  useEffect(() => ctl.store.subscribe(() => setState(ctl.store.get())), [ctl]);
  return [state, ctl];
}
