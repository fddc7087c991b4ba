/**
 * antd's prebuilt stylesheet (`antd/dist/antd.css`, about 1 MB for every component) in two parts:
 * the components a cold load shows first (the sign-in form, the shell and the overview), which the
 * app's entry imports, and the rest, which the other pages (and the overview's dialogs) wait for
 * before they render. The browser then parses and matches about 245 KB of CSS before the overview's
 * figures instead of 1 MB. Used by web/vite.config.ts as two virtual modules.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import postcss, { type AtRule, type Rule } from 'postcss';

/**
 * antd class names (`.ant-<name>…`) of what the sign-in page, the shell and the overview render,
 * plus antd's motion and wave classes (used by buttons). Missing one is not an error: its styles
 * come with the rest, a moment later.
 */
export const LANDING_COMPONENTS = [
  'app', 'css', 'layout', 'btn', 'space', 'spin', 'typography', 'tag', 'alert', 'input', 'form', 'flex',
  'wave', 'motion', 'fade', 'zoom', 'slide', 'move',
] as const;

/** The antd component names a selector mentions (`.ant-btn-primary` -> `btn`). */
function componentsOf(selector: string): string[] {
  return [...selector.matchAll(/\.ant-([a-z]+)/g)].map((m) => m[1]!);
}

const inKeyframes = (rule: Rule) => rule.parent?.type === 'atrule' && /keyframes$/.test((rule.parent as AtRule).name);

/**
 * Splits a stylesheet: a rule goes to `landing` when it names no antd component or names one of
 * `landing`'s, otherwise to `rest`; keyframes and at-rules without rules stay with landing, so every
 * rule is in exactly one part and their concatenation styles what the whole did.
 */
export function splitAntdCss(css: string, landing: readonly string[] = LANDING_COMPONENTS): { landing: string; rest: string } {
  const wanted = new Set(landing);
  const isLanding = (rule: Rule) => {
    const names = componentsOf(rule.selector);
    return inKeyframes(rule) || names.length === 0 || names.some((c) => wanted.has(c));
  };
  const first = postcss.parse(css);
  const second = first.clone();
  first.walkRules((rule) => { if (!isLanding(rule)) rule.remove(); });
  second.walkRules((rule) => { if (isLanding(rule)) rule.remove(); });
  // Keyframes and at-rules that hold no rules of their own (@font-face, @property, @charset) stay in
  // the first part only.
  const holdsRules = (at: AtRule) => (at.nodes ?? []).some((n) => n.type === 'rule' || n.type === 'atrule');
  second.walkAtRules((at) => { if (/keyframes$/.test(at.name) || !holdsRules(at)) at.remove(); });
  const prune = (root: postcss.Root) => root.walkAtRules((at) => { if (at.nodes && at.nodes.length === 0) at.remove(); });
  prune(first);
  prune(second);
  return { landing: first.toString(), rest: second.toString() };
}

/** The two parts of the installed antd's stylesheet. */
export function antdStyleParts(): { landing: string; rest: string } {
  const require = createRequire(import.meta.url);
  return splitAntdCss(readFileSync(require.resolve('antd/dist/antd.css'), 'utf8'));
}
