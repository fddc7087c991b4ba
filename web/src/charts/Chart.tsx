import { useEffect, useRef } from 'react';
import { echarts } from './echarts.ts';

type Option = Parameters<ReturnType<typeof echarts.init>['setOption']>[0];

/**
 * One ECharts canvas. The chart is an image to assistive technology: `label` says what it shows,
 * and every page that draws one also shows the same figures as text in a table.
 */
export function Chart({ option, label, testId }: { option: Option; label: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);

  useEffect(() => {
    const el = ref.current!;
    chart.current = echarts.init(el, undefined, { renderer: 'canvas' });
    const observer = new ResizeObserver(() => chart.current?.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={ref} className="chart" role="img" aria-label={label} data-testid={testId} />;
}
