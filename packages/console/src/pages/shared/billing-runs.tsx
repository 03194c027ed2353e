import type { Schema } from "@provisio/client"
import { useEffect, useState } from "preact/hooks"
import { thisPeriod, when } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Form } from "../../ui/form.js"
import { Page, PagedList, paged, Status } from "../../ui/kit.js"

type Run = Schema<"BillingRun">

/** A run's progress, read again every second until it is done. */
const RunProgress = ({ run }: { run: Run }) => {
  const [current, setCurrent] = useState(run)
  useEffect(() => {
    setCurrent(run)
    if (run.status === "completed" || run.status === "failed") return
    const timer = setInterval(async () => {
      const { data } = await api.GET("/api/v1/billing/runs/{runId}", { params: { path: { runId: run.id } } })
      if (data) {
        setCurrent(data.data)
        if (data.data.status === "completed" || data.data.status === "failed") clearInterval(timer)
      }
    }, 1000)
    return () => clearInterval(timer)
  }, [run.id, run.status])
  const total = current.customers_total ?? 0
  return (
    <span class="row">
      <Status value={current.status} />
      <progress max={Math.max(1, total)} value={current.status === "completed" ? Math.max(1, total) : current.customers_processed}
        aria-label={`Run ${current.period} progress`}>{current.customers_processed}/{total}</progress>
      <span>{current.customers_processed}/{current.customers_total ?? "?"} customers, {current.invoices_created} invoices</span>
      {current.error && <span class="field-error">{current.error}</span>}
    </span>
  )
}

export const BillingRuns = (_: { me: Me }) => {
  const [version, setVersion] = useState(0)
  return (
    <Page title="Billing runs">
      <Form id="start-run" submitLabel="Start billing run" onDone={() => setVersion((v) => v + 1)}
        fields={[{ name: "period", label: "Period", required: true, hint: "YYYY-MM" }]}
        initial={{ period: thisPeriod() }}
        submit={(v) => api.POST("/api/v1/billing/runs", { body: { period: v["period"] ?? "" } })} />
      <PagedList<Run> label="Billing runs" deps={[version]} rowKey={(r) => r.id} empty="No billing runs yet."
        load={(cursor) => paged(api.GET("/api/v1/billing/runs", { params: { query: { cursor, limit: 20 } } }))}
        columns={[
          { label: "Period", render: (r) => r.period },
          { label: "Started", render: (r) => when(r.started_at ?? r.created_at) },
          { label: "Progress", render: (r) => <RunProgress run={r} /> }
        ]} />
    </Page>
  )
}
