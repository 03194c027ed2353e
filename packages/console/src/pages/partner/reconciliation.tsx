import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { day, money, when } from "../../format.js"
import { navigate } from "../../router.js"
import { api, type Me } from "../../session.js"
import { Busy, failureText, Link, Notice, ok, Page, PagedList, paged, Status, useLoad } from "../../ui/kit.js"

type StatementLine = Schema<"StatementLine">

/**
 * Bank statements (camt.053 XML or CSV) sent to `POST /reconciliation/statements`, which matches
 * their lines to the invoices the caller issued; what it could not match is assigned here.
 */
export const Reconciliation = (_: { me: Me }) => {
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | undefined>()
  const [version, setVersion] = useState(0)
  const upload = async (event: Event) => {
    event.preventDefault()
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem("statement-file") as HTMLInputElement
    const file = input.files?.[0]
    if (file === undefined) return setMessage({ kind: "error", text: "Choose a statement file first." })
    const xml = /\.xml$/i.test(file.name) || file.type.includes("xml")
    const answer = await api.POST("/api/v1/reconciliation/statements", {
      body: (await file.text()) as never,
      headers: { "Content-Type": xml ? "application/xml" : "text/csv" },
      bodySerializer: (body: unknown) => body as string
    })
    if (answer.data === undefined) return setMessage({ kind: "error", text: failureText(answer.error) })
    const statement = answer.data.data
    setVersion((n) => n + 1)
    navigate(`reconciliation/${statement.id}`)
  }
  return (
    <Page title="Reconciliation">
      <form id="statement-upload" class="row" onSubmit={upload}>
        <label>Bank statement (camt.053 XML or CSV) <input id="statement-file" name="statement-file" type="file" accept=".xml,.csv,application/xml,text/csv" /></label>
        <button type="submit">Upload and match</button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <PagedList<Schema<"Statement">> label="Statements" deps={[version]} rowKey={(s) => s.id} empty="No statements yet: upload your bank's camt.053 or a CSV above."
        load={(cursor) => paged(api.GET("/api/v1/reconciliation/statements", { params: { query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "Statement", render: (s) => <Link to={`reconciliation/${s.id}`}><code>{s.id}</code></Link> },
          { label: "Format", render: (s) => s.format },
          { label: "Lines", render: (s) => s.lines.length, numeric: true },
          { label: "Unmatched", render: (s) => s.lines.filter((l) => l.status === "unmatched" || l.status === "partial").length, numeric: true },
          { label: "Received", render: (s) => when(s.created_at) }
        ]} />
    </Page>
  )
}

/** Assigns a line to an invoice by id (`POST /reconciliation/lines/{id}/assign`), the error beside the field. */
const Assign = ({ line, onDone }: { line: StatementLine; onDone: () => void }) => {
  const [invoiceId, setInvoiceId] = useState("")
  const [error, setError] = useState<string | undefined>()
  const inputId = `assign-${line.id}`
  return (
    <form class="row" onSubmit={async (event) => {
      event.preventDefault()
      const answer = await api.POST("/api/v1/reconciliation/lines/{lineId}/assign", { params: { path: { lineId: line.id } }, body: { invoice_id: invoiceId.trim() } })
      if (answer.data === undefined) return setError(failureText(answer.error))
      setError(undefined)
      onDone()
    }}>
      <label for={inputId}>Invoice id for {line.reference ?? line.id}</label>
      <input id={inputId} value={invoiceId} placeholder="inv_…" aria-invalid={error !== undefined} aria-describedby={error ? `${inputId}-error` : undefined}
        onInput={(e) => setInvoiceId(e.currentTarget.value)} />
      <button type="submit" disabled={invoiceId.trim() === ""}>Assign</button>
      {error && <span id={`${inputId}-error`} class="field-error">{error}</span>}
    </form>
  )
}

/** A statement's lines: what matched which invoice, and the unmatched ones to assign. */
export const StatementDetail = ({ params }: { params: Readonly<Record<string, string>>; me: Me }) => {
  const statementId = params["id"]!
  const statement = useLoad(() => ok(api.GET("/api/v1/reconciliation/statements/{statementId}", { params: { path: { statementId } } })), [statementId])
  if (statement.error !== undefined) return <Page title="Statement"><Notice kind="error">{failureText(statement.error)}</Notice></Page>
  if (statement.value === undefined) return <Page title="Statement"><Busy /></Page>
  const { lines } = statement.value
  return (
    <Page title={`Statement ${statementId}`}>
      <p>{statement.value.format} · {statement.value.account ?? "—"} · received {when(statement.value.created_at)}</p>
      {lines.length === 0 ? <p class="empty">This statement has no credit lines.</p> : (
        <table aria-label="Statement lines">
          <thead><tr><th scope="col">Booked</th><th scope="col" class="num">Amount</th><th scope="col">Reference</th><th scope="col">From</th><th scope="col">Status</th><th scope="col">Invoice</th></tr></thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.id}>
                <td>{day(line.booked_at)}</td>
                <td class="num">{money(line.amount)}</td>
                <td>{line.reference ?? "—"}</td>
                <td>{line.counterparty ?? "—"}</td>
                <td><Status value={line.status} /></td>
                <td>{line.invoice_id
                  ? <Link to={`invoices/${line.invoice_id}`}><code>{line.invoice_id}</code></Link>
                  : line.status === "ignored" ? "—" : <Assign line={line} onDone={statement.reload} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}
