/**
 * antd's styles come in two parts (web/build/antd-styles.ts): the landing page's, with the app's
 * entry, and the rest, asked for once by whatever first renders something else. Other pages and the
 * overview's dialogs wait for it before they render, so nothing shows unstyled.
 */
import { lazy, type ComponentType } from 'react';

let rest: Promise<unknown> | undefined;
const restStyles = (): Promise<unknown> => (rest ??= import('virtual:antd-rest.css'));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as React.lazy's own signature
export function lazyStyled<T extends ComponentType<any>>(load: () => Promise<{ default: T }>) {
  return lazy(() => Promise.all([load(), restStyles()]).then(([m]) => m));
}
