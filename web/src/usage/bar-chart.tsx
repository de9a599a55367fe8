// A bar chart in plain SVG: one bar per label, stacked by series, a labelled value axis; the numbers themselves are in the table beside it.
import { useId } from 'preact/hooks';
import { axisMax } from './usage-bars.js';

export interface ChartBar {
  readonly label: string;
  /** One value per series, stacked from the bottom. */
  readonly values: readonly number[];
}

interface Props {
  readonly title: string;
  readonly description: string;
  readonly series: readonly string[];
  readonly bars: readonly ChartBar[];
  readonly format: (value: number) => string;
  /** The label under a bar (a day's MM-DD, a shortened name). */
  readonly shortLabel: (label: string) => string;
}

const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 72;
const BOTTOM = 28;
const TOP = 8;
/** So that one or two bars do not fill the whole chart. */
const MAX_BAR_WIDTH = 56;
/** Labels under bars are thinned to about this many. */
const MAX_LABELS = 12;

export function BarChart({ title, description, series, bars, format, shortLabel }: Props) {
  const id = useId();
  const top = axisMax(Math.max(0, ...bars.map((bar) => bar.values.reduce((sum, value) => sum + value, 0))));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(1, bars.length);
  const every = Math.ceil(bars.length / MAX_LABELS);
  const y = (value: number) => TOP + plotHeight * (1 - value / top);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {[0, top / 2, top].map((tick) => (
          <g key={tick} class="chart-grid">
            <line x1={LEFT} x2={WIDTH} y1={y(tick)} y2={y(tick)} />
            <text x={LEFT - 6} y={y(tick)} text-anchor="end" dominant-baseline="middle">
              {format(tick)}
            </text>
          </g>
        ))}
        {bars.map((bar, index) => {
          let base = 0;
          const width = Math.min(slot * 0.7, MAX_BAR_WIDTH);
          const x = LEFT + index * slot + (slot - width) / 2;
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${bar.values.map((value, at) => `${series[at] ?? ''} ${format(value)}`).join(', ')}`}</title>
              {bar.values.map((value, at) => {
                const from = base;
                base += value;
                return <rect key={at} class={`chart-series-${at}`} x={x} width={width} y={y(base)} height={y(from) - y(base)} />;
              })}
              {index % every === 0 && (
                <text class="chart-label" x={x + width / 2} y={HEIGHT - BOTTOM + 16} text-anchor="middle">
                  {shortLabel(bar.label)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-legend" aria-hidden="true">
        {series.map((name, at) => (
          <span key={name}>
            <span class={`chart-swatch chart-series-${at}`} /> {name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
