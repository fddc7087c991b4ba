import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import postcss from 'postcss';
import { antdStyleParts, LANDING_COMPONENTS, splitAntdCss } from '../../../web/build/antd-styles.ts';

const rules = (css: string) => {
  const out: string[] = [];
  postcss.parse(css).walkRules((r) => { out.push(`${r.parent?.type === 'atrule' ? `@${(r.parent as postcss.AtRule).name} ${(r.parent as postcss.AtRule).params} ` : ''}${r.selector}{${r.nodes.map(String).join(';')}}`); });
  return out;
};

describe('antd stylesheet in two parts', () => {
  const css = `
    .ant-btn{color:red}
    .ant-table .ant-btn{margin:0}
    .ant-table{width:100%}
    @media (max-width: 575px){ .ant-table{width:auto} .ant-btn{padding:0} }
    @keyframes antFadeIn{0%{opacity:0}100%{opacity:1}}
    .anticon{display:inline-flex}
    :where(.css-var-root){--ant-color-primary:#1677ff}
    @font-face{font-family:x;src:url(x.woff2)}
  `;
  test('a rule naming a landing component, or none, goes with the landing part; the others wait', () => {
    const { landing, rest } = splitAntdCss(css, ['btn']);
    expect(rules(landing)).toEqual([
      '.ant-btn{color:red}', '.ant-table .ant-btn{margin:0}', '@media (max-width: 575px) .ant-btn{padding:0}',
      '@keyframes antFadeIn 0%{opacity:0}', '@keyframes antFadeIn 100%{opacity:1}', '.anticon{display:inline-flex}', ':where(.css-var-root){--ant-color-primary:#1677ff}',
    ]);
    expect(rules(rest)).toEqual(['.ant-table{width:100%}', '@media (max-width: 575px) .ant-table{width:auto}']);
    expect(rest).not.toContain('keyframes');
    // An at-rule of declarations only goes with the landing part, once.
    expect(landing).toContain('@font-face');
    expect(rest).not.toContain('@font-face');
  });

  test("antd's own stylesheet: every rule in exactly one part, and the landing part is the small one", () => {
    const { landing, rest } = antdStyleParts();
    const whole = postcss.parse(antdCss());
    let count = 0;
    whole.walkRules(() => { count++; });
    expect(rules(landing).length + rules(rest).length).toBe(count);
    expect(landing.length).toBeLessThan(rest.length / 3);
    for (const c of ['btn', 'layout', 'typography', 'input']) expect(landing).toContain(`.ant-${c}`);
    expect(LANDING_COMPONENTS).not.toContain('table');
    expect(landing).not.toContain('.ant-table');
    expect(rest).toContain('.ant-table');
  });
});

function antdCss(): string {
  return readFileSync(createRequire(import.meta.url).resolve('antd/dist/antd.css'), 'utf8');
}
