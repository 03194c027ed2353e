import { useState } from "preact/hooks"
import { download } from "../../download.js"
import { money, thisPeriod } from "../../format.js"
import { api, type Me } from "../../session.js"
import { BarChart } from "../../ui/chart.js"
import { Busy, Notice, Page, useLoad } from "../../ui/kit.js"

const MONTHS = 6

/** Margin and commission per month, the last six months, as charts (and the numbers in a table). */
/** The account's own figures: the endpoints name the partner or distributor they are about. */
export const ownAccount = (me: Me) => me.account_kind === "distributor" ? { distributor_id: me.account_id } : { partner_id: me.account_id }

export const Margins = ({ me }: { me: Me }) => {
  const months = Array.from({ length: MONTHS }, (_, i) => thisPeriod(i - MONTHS + 1))
  const data = useLoad(() => Promise.all(months.map(async (period) => {
    const [margins, commissions] = await Promise.all([
      api.GET("/api/v1/channel/margins", { params: { query: { period, ...ownAccount(me) } } }),
      api.GET("/api/v1/commissions/summary", { params: { query: { period, ...ownAccount(me) } } })
    ])
    const own = commissions.data?.data.accounts.find((account) => account.account_id === me.account_id)
    return { period, totals: margins.data?.data.totals ?? null, commission: own?.commission ?? null }
  })), [me.account_id])
  if (data.error) return <Notice kind="error">Could not read margins.</Notice>
  if (!data.value) return <Page title="Margins and commissions"><Busy label="Reading six months" /></Page>
  return (
    <Page title="Margins and commissions">
      <BarChart title="Margin per month" points={data.value.map((m) => ({ label: m.period, value: Number(m.totals?.margin.amount ?? 0) }))} />
      <BarChart title="Commission per month" points={data.value.map((m) => ({ label: m.period, value: Number(m.commission?.amount ?? 0) }))} />
      <table aria-label="Margins per month">
        <thead><tr><th scope="col">Month</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Cost</th><th scope="col" class="num">Margin</th><th scope="col" class="num">Commission</th></tr></thead>
        <tbody>{data.value.map((m) => (
          <tr><td>{m.period}</td><td class="num">{money(m.totals?.revenue)}</td><td class="num">{money(m.totals?.cost)}</td><td class="num">{money(m.totals?.margin)}</td><td class="num">{money(m.commission)}</td></tr>
        ))}</tbody>
      </table>
    </Page>
  )
}

const KINDS = ["invoices", "invoice-lines", "rated-usage", "commissions"] as const

export const Exports = (_: { me: Me }) => {
  const [period, setPeriod] = useState(thisPeriod())
  const [format, setFormat] = useState<"csv" | "ndjson">("csv")
  const [state, setState] = useState<string | undefined>()
  return (
    <Page title="Exports">
      <div class="form">
        <div class="field"><label for="export-period">Period</label><input id="export-period" value={period} onInput={(e) => setPeriod(e.currentTarget.value)} /></div>
        <div class="field"><label for="export-format">Format</label>
          <select id="export-format" value={format} onChange={(e) => setFormat(e.currentTarget.value as "csv")}><option value="csv">CSV</option><option value="ndjson">NDJSON</option></select></div>
      </div>
      <ul>{KINDS.map((kind) => (
        <li><button type="button" onClick={async () => {
          setState(`Exporting ${kind}…`)
          const error = await download(`/api/v1/exports/${kind}?period=${encodeURIComponent(period)}&format=${format}`, `${kind}-${period}.${format}`)
          setState(error ?? `${kind} for ${period} downloaded.`)
        }}>Download {kind}</button></li>
      ))}</ul>
      {state && <p role="status">{state}</p>}
    </Page>
  )
}
