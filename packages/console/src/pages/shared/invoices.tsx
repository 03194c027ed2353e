import type { Schema } from "@provisio/client"

type Money = Schema<"Money">
import { useState } from "preact/hooks"
import { download } from "../../download.js"
import { day, money, when } from "../../format.js"
import { api, type Me } from "../../session.js"
import { Form } from "../../ui/form.js"
import { Busy, Link, Notice, Page, PagedList, failureText, ok, paged, Status, useLoad } from "../../ui/kit.js"

/** What the console reads of an invoice: customer invoices and upstream (channel) invoices alike. */
interface Invoice {
  readonly id: string
  readonly number: string | null
  readonly customer_id?: string | null
  readonly status: string
  readonly currency: string
  readonly period: string
  readonly total: Money
  readonly tax_total: Money
  readonly amount_due: Money
  readonly amount_paid?: Money
  readonly due_date?: string | null
  readonly finalized_at: string | null
  readonly disputed?: boolean
  readonly lines: ReadonlyArray<{ readonly description: string; readonly kind: string; readonly quantity: string | null; readonly amount: string; readonly tax_rate?: string | null }>
}

export const Invoices = ({ me }: { me: Me }) => {
  const [status, setStatus] = useState("")
  return (
    <Page title="Invoices">
      <label>Status <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
        {[["", "Any"], ["draft", "Draft"], ["finalized", "Finalized"], ["overdue", "Overdue"], ["paid", "Paid"], ["void", "Void"]].map(([v, l]) => <option value={v}>{l}</option>)}
      </select></label>
      <PagedList<Invoice> label="Invoices" deps={[status]} rowKey={(i) => i.id} empty="No invoices yet: they appear after a billing run."
        load={(cursor) => paged(api.GET("/api/v1/invoices", { params: { query: { cursor, limit: 50, status: (status || undefined) as never } } }))}
        columns={[
          { label: "Invoice", render: (i) => <Link to={`invoices/${i.id}`}>{i.number ?? `draft ${i.id}`}</Link> },
          ...(me.account_kind === "customer" ? [] : [{ label: "Customer", render: (i: Invoice) => <code>{i.customer_id ?? "—"}</code> }]),
          { label: "Period", render: (i) => i.period },
          { label: "Status", render: (i) => <Status value={i.status} /> },
          { label: "Total", render: (i) => money(i.total), numeric: true },
          { label: "Due", render: (i) => money(i.amount_due), numeric: true },
          { label: "Due date", render: (i) => i.due_date ? day(i.due_date) : "—" }
        ]} />
    </Page>
  )
}

const Documents = ({ invoice }: { invoice: Invoice }) => {
  const [error, setError] = useState<string | undefined>()
  if (invoice.status === "draft") return <p class="hint">A draft has no documents yet.</p>
  const name = invoice.number ?? invoice.id
  return (
    <div class="row">
      <button type="button" onClick={async () => setError(await download(`/api/v1/invoices/${invoice.id}/pdf`, `${name}.pdf`))}>Download PDF</button>
      <button type="button" onClick={async () => setError(await download(`/api/v1/invoices/${invoice.id}/ubl`, `${name}.xml`))}>Download UBL</button>
      {error && <span class="field-error" role="alert">{error}</span>}
    </div>
  )
}

const Payments = ({ invoice, manage, onChange }: { invoice: Invoice; manage: boolean; onChange: () => void }) => {
  const [message, setMessage] = useState<string | undefined>()
  const payments = useLoad(() => paged(api.GET("/api/v1/payments", { params: { query: { invoice_id: invoice.id, limit: 50 } } })), [invoice.id, invoice.amount_paid?.amount])
  return (
    <>
      <h2>Payments</h2>
      {message && <Notice>{message}</Notice>}
      {payments.value && payments.value.rows.length === 0 ? <p class="empty">No payments yet.</p> : (
        <table aria-label="Payments">
          <thead><tr><th scope="col">Payment</th><th scope="col" class="num">Amount</th><th scope="col">Status</th><th scope="col">When</th>{manage && <th scope="col">Refund</th>}</tr></thead>
          <tbody>{(payments.value?.rows ?? []).map((p) => (
            <tr><td><code>{p.id}</code></td><td class="num">{money(p.amount)}</td><td><Status value={p.status} /></td><td>{when(p.created_at)}</td>
              {manage && <td><button type="button" onClick={async () => {
                const { error } = await api.POST("/api/v1/payments/{paymentId}/refund", { params: { path: { paymentId: p.id } }, body: {} })
                setMessage(error ? failureText(error) : `Refunded ${p.id}.`)
                onChange()
              }}>Refund in full</button></td>}</tr>
          ))}</tbody>
        </table>
      )}
      {manage && invoice.status === "finalized" && (
        <Form id="record-payment" submitLabel="Record payment" onDone={onChange}
          fields={[{ name: "amount", label: "Amount received", required: true, hint: invoice.currency }]}
          initial={{ amount: invoice.amount_due.amount }}
          submit={(v) => api.POST("/api/v1/payments", { body: { invoice_id: invoice.id, amount: { amount: v["amount"] ?? "", currency: invoice.currency as Money["currency"] } } })} />
      )}
    </>
  )
}

/** Where the customer stands in dunning (a customer's field, shown with each of its invoices). */
const DunningStage = ({ customerId }: { customerId: string }) => {
  const customer = useLoad(() => ok(api.GET("/api/v1/customers/{customerId}", { params: { path: { customerId } } })), [customerId])
  if (!customer.value) return <span>…</span>
  return <span>{customer.value.dunning_stage ?? "no stage"} (dunning {customer.value.dunning})</span>
}

export const InvoiceDetail = ({ params, me }: { params: Readonly<Record<string, string>>; me: Me }) => {
  const invoiceId = params["id"]!
  const invoice = useLoad(() => ok(api.GET("/api/v1/invoices/{invoiceId}", { params: { path: { invoiceId } } })), [invoiceId])
  if (invoice.error) return <Notice kind="error">{failureText(invoice.error)}</Notice>
  if (!invoice.value) return <Busy />
  const i: Invoice = invoice.value
  const manage = me.account_kind !== "customer" && me.role !== "viewer"
  return (
    <Page title={`Invoice ${i.number ?? i.id}`}>
      <dl class="facts">
        <dt>Status</dt><dd><Status value={i.status} />{i.disputed ? " (disputed)" : ""}</dd>
        <dt>Period</dt><dd>{i.period}</dd>
        <dt>Finalized</dt><dd>{when(i.finalized_at)}</dd>
        <dt>Due</dt><dd>{i.due_date ? day(i.due_date) : "—"}</dd>
        <dt>Total</dt><dd>{money(i.total)} (tax {money(i.tax_total)})</dd>
        <dt>Amount due</dt><dd>{money(i.amount_due)}</dd>
        {i.customer_id && <><dt>Dunning</dt><dd><DunningStage customerId={i.customer_id} /></dd></>}
      </dl>
      <h2>Documents</h2>
      <Documents invoice={i} />
      <h2>Lines</h2>
      <table aria-label="Invoice lines">
        <thead><tr><th scope="col">Description</th><th scope="col">Kind</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Tax rate</th></tr></thead>
        <tbody>{i.lines.map((line) => (
          <tr><td>{line.description}</td><td>{line.kind}</td><td class="num">{line.quantity ?? "—"}</td>
            <td class="num">{money({ amount: line.amount, currency: i.currency })}</td><td class="num">{line.tax_rate ? `${line.tax_rate} %` : "—"}</td></tr>
        ))}</tbody>
      </table>
      <Payments invoice={i} manage={manage} onChange={invoice.reload} />
    </Page>
  )
}
