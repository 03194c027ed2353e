/**
 * Small SVG charts drawn by hand (a chart library would outweigh the rest of the console): bars
 * for a value per label (usage per day, margin per month), a line for a curve (a SKU's price per
 * quantity). Each has a title and a table fallback for screen readers.
 */
export interface Point {
  readonly label: string
  readonly value: number
}

const W = 560
const H = 200
const PAD = 36

const scaleMax = (values: ReadonlyArray<number>) => {
  const max = Math.max(0, ...values)
  return max === 0 ? 1 : max * 1.1
}

/** The largest value, as the axis's label (the scale leaves a tenth of headroom above it). */
const topLabel = (values: ReadonlyArray<number>) => {
  const max = Math.max(0, ...values)
  return max.toLocaleString(undefined, { maximumFractionDigits: 2 })
}

const Fallback = ({ title, points, unit }: { title: string; points: ReadonlyArray<Point>; unit?: string }) => (
  <table class="sr-only" aria-label={title}>
    <tbody>{points.map((p) => <tr><th scope="row">{p.label}</th><td>{p.value}{unit ? ` ${unit}` : ""}</td></tr>)}</tbody>
  </table>
)

export const BarChart = ({ title, points, unit }: { title: string; points: ReadonlyArray<Point>; unit?: string }) => {
  if (points.length === 0) return <p class="empty">No data for {title.toLowerCase()} yet.</p>
  const max = scaleMax(points.map((p) => p.value))
  const step = (W - PAD * 2) / points.length
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} focusable="false">
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} class="axis" />
        <text x={4} y={PAD - 8} class="tick">{topLabel(points.map((p) => p.value))}</text>
        {points.map((p, i) => {
          const height = Math.max(0, (p.value / max) * (H - PAD * 2))
          const x = PAD + i * step + step * 0.15
          return (
            <g>
              <rect x={x} y={H - PAD - height} width={step * 0.7} height={height} class="bar"><title>{`${p.label}: ${p.value}`}</title></rect>
              {(points.length <= 12 || i % Math.ceil(points.length / 12) === 0) && (
                <text x={x} y={H - PAD + 14} class="tick">{p.label}</text>
              )}
            </g>
          )
        })}
      </svg>
      <Fallback title={title} points={points} unit={unit} />
    </figure>
  )
}

export const LineChart = ({ title, points, unit }: { title: string; points: ReadonlyArray<Point>; unit?: string }) => {
  if (points.length < 2) return <p class="empty">Not enough points to draw {title.toLowerCase()}.</p>
  const max = scaleMax(points.map((p) => p.value))
  const x = (i: number) => PAD + (i / (points.length - 1)) * (W - PAD * 2)
  const y = (v: number) => H - PAD - (v / max) * (H - PAD * 2)
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ")
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} focusable="false">
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} class="axis" />
        <line x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} class="axis" />
        <text x={4} y={PAD - 8} class="tick">{topLabel(points.map((p) => p.value))}</text>
        <path d={path} class="line" fill="none" />
        {points.map((p, i) => (
          <g>
            <circle cx={x(i)} cy={y(p.value)} r={3} class="dot"><title>{`${p.label}: ${p.value}`}</title></circle>
            {(points.length <= 10 || i % Math.ceil(points.length / 10) === 0) && <text x={x(i) - 6} y={H - PAD + 14} class="tick">{p.label}</text>}
          </g>
        ))}
      </svg>
      <Fallback title={title} points={points} unit={unit} />
    </figure>
  )
}
