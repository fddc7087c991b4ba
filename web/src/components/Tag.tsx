import { Tag as AntTag, type TagProps } from 'antd';

// antd's light preset tags (e.g. green-7 text on green-1) fall short of WCAG AA contrast; these dark
// colours carry white text at 4.5:1 or better.
const DARK: Record<string, string> = {
  blue: '#1d4ed8', processing: '#1d4ed8', green: '#2f7d12', red: '#b42318', gold: '#7a5200', orange: '#a84306',
  cyan: '#0e6a84', volcano: '#a8320f', magenta: '#a3186b', purple: '#6b21a8',
};

/** antd's Tag with accessible colours: a named colour becomes a solid dark tag with white text. */
export function Tag({ color, ...rest }: TagProps) {
  const dark = color ? DARK[color] : undefined;
  return dark ? <AntTag {...rest} color={dark} variant="solid" /> : <AntTag {...rest} {...(color ? { color } : {})} />;
}
