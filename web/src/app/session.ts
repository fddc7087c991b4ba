import { createContext, useContext } from 'react';
import type { Me } from '../api/types.ts';
import { abilities, type Abilities } from './permissions.ts';

export const SessionContext = createContext<Me | null>(null);

/** The signed-in user and what they may do (pages render only inside a session). */
export function useSession(): { me: Me; can: Abilities; bureauOnly: boolean } {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession outside a session');
  const can = abilities(me);
  return { me, can, bureauOnly: can.bureau && !can.readAll };
}
