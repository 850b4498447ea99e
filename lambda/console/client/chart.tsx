import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  name: string;
  values: number[];
}

/** Distinct hues that read on light and dark backgrounds alike. */
const COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];

/** Bucket labels (`YYYY-MM-DD` or `YYYY-MM-DDTHH`) as epoch seconds for uPlot's time axis. */
const toSeconds = (bucket: string) => Date.parse(bucket.length === 10 ? `${bucket}T00:00:00Z` : `${bucket}:00:00Z`) / 1000;

/**
 * A uPlot line chart sized to its container (it re-measures on resize). Labels are text in uPlot's
 * legend, never markup. The table beside each chart carries the same figures for screen readers.
 */
export function Chart({
  title,
  buckets,
  series,
  format,
}: {
  title: string;
  buckets: string[];
  series: ChartSeries[];
  format: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = {
      stroke: dark ? '#cbd5e1' : '#334155',
      grid: { stroke: dark ? '#334155' : '#e2e8f0' },
      ticks: { stroke: dark ? '#334155' : '#e2e8f0' },
    };
    const options: uPlot.Options = {
      width: element.clientWidth || 320,
      height: 220,
      scales: { x: { time: true } },
      // Buckets are UTC days and hours: the axis says UTC too, wherever the browser is.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // The value axis as wide as its longest label (sub-cent amounts run to nine characters).
      axes: [axis, { ...axis, values: (_u, values) => values.map(format), size: (_u, labels) => labelWidth(labels) }],
      series: [
        { label: 'time' },
        ...series.map((s, i) => ({
          label: s.name,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          value: (_u: uPlot, v: number | null) => (v === null ? '-' : format(v)),
        })),
      ],
      legend: { live: true },
    };
    const data: uPlot.AlignedData = [buckets.map(toSeconds), ...series.map((s) => s.values)];
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth || 320, height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [buckets, series, format]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: a chart; the table below holds the same figures`} />
    </figure>
  );
}

/** Room for tick labels in uPlot's 12 px font: about 7 px a character, plus the ticks and a gap. */
const labelWidth = (labels: string[] | null | undefined): number =>
  Math.max(50, 24 + 7 * Math.max(0, ...(labels ?? []).map((l) => String(l ?? '').length)));
