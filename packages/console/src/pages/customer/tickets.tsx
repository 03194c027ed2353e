import type { Schema } from "@provisio/client"
import { useState } from "preact/hooks"
import { when } from "../../format.js"
import { navigate } from "../../router.js"
import { api, type Me } from "../../session.js"
import { Form } from "../../ui/form.js"
import { Busy, Link, Notice, Page, PagedList, failureText, ok, paged, Status, useLoad } from "../../ui/kit.js"

export const Tickets = ({ me }: { me: Me }) => (
  <Page title="Support tickets">
    <Form id="new-ticket" submitLabel="Open ticket"
      fields={[
        ...(me.account_kind === "customer" ? [] : [{ name: "customer_id", label: "Customer id", required: true }]),
        { name: "subject", label: "Subject", required: true },
        { name: "description", label: "Description", type: "textarea", required: true },
        { name: "priority", label: "Priority", type: "select", options: [["normal", "Normal"], ["low", "Low"], ["high", "High"], ["urgent", "Urgent"]] }
      ]}
      initial={{ priority: "normal" }}
      submit={async (v) => {
        const answer = await api.POST("/api/v1/tickets", {
          body: { customer_id: me.account_kind === "customer" ? me.account_id : v["customer_id"] ?? "", subject: v["subject"] ?? "", description: v["description"] ?? "", priority: v["priority"] as "normal" }
        })
        if (answer.data) navigate(`tickets/${answer.data.data.id}`)
        return answer
      }} />
    <PagedList<Schema<"Ticket">> label="Tickets" rowKey={(t) => t.id} empty="No tickets: open one above when you need help."
      load={(cursor) => paged(api.GET("/api/v1/tickets", { params: { query: { cursor, limit: 50 } } }))}
      columns={[
        { label: "Subject", render: (t) => <Link to={`tickets/${t.id}`}>{t.subject}</Link> },
        { label: "Status", render: (t) => <Status value={t.status} /> },
        { label: "Priority", render: (t) => t.priority },
        { label: "Opened", render: (t) => when(t.created_at) }
      ]} />
  </Page>
)

export const TicketDetail = ({ params }: { params: Readonly<Record<string, string>>; me: Me }) => {
  const ticketId = params["id"]!
  const ticket = useLoad(() => ok(api.GET("/api/v1/tickets/{ticketId}", { params: { path: { ticketId } } })), [ticketId])
  const [version, setVersion] = useState(0)
  if (ticket.error) return <Notice kind="error">{failureText(ticket.error)}</Notice>
  if (!ticket.value) return <Busy />
  return (
    <Page title={ticket.value.subject}>
      <p><Status value={ticket.value.status} /> · opened {when(ticket.value.created_at)}</p>
      <p>{ticket.value.description}</p>
      <h2>Comments</h2>
      <PagedList<Schema<"TicketComment">> label="Comments" deps={[version]} rowKey={(c) => c.id} empty="No comments yet."
        load={(cursor) => paged(api.GET("/api/v1/tickets/{ticketId}/comments", { params: { path: { ticketId }, query: { cursor, limit: 50 } } }))}
        columns={[
          { label: "When", render: (c) => when(c.created_at) },
          { label: "Comment", render: (c) => c.body }
        ]} />
      <Form id="new-comment" submitLabel="Add comment" onDone={() => setVersion((v) => v + 1)}
        fields={[{ name: "body", label: "Comment", type: "textarea", required: true }]}
        submit={(v) => api.POST("/api/v1/tickets/{ticketId}/comments", { params: { path: { ticketId } }, body: { body: v["body"] ?? "" } })} />
    </Page>
  )
}
