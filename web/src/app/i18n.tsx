/**
 * Chinese by default, English on request; the choice is kept in localStorage so it survives a reload
 * and a new sign-in. Catalog titles and unit names come in both languages from shared/domain.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { zh, type Messages } from './messages-zh.ts';
import { en } from './messages-en.ts';

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'bursar.lang';

export function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

type Key = keyof Messages;
export type T = (key: Key, vars?: Record<string, string | number>) => string;

interface I18n { lang: Lang; setLang: (lang: Lang) => void; t: T }
const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch { /* private mode: the switch still works for this page */ }
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = lang === 'en' ? en : zh;
    const t: T = (key, vars) => {
      let text: string = messages[key] ?? zh[key] ?? key;
      if (vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
      return text;
    };
    return { lang, setLang, t };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
