import { afterAll, describe, expect, it } from "@effect/vitest"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import { chargeOf, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, OrderingServer, V1 } from "./ordering-fixtures"
import { mailServerFor, startInbox } from "./smtp-fixtures"

/** Emails sent through the delivery engine to a real SMTP server in this process (smtp-fixtures.ts). */
const inbox = await startInbox()
afterAll(() => inbox.close())

const MailServer = mailServerFor(inbox)

const runOnce = Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce)

const mailTo = inbox.to

/** The email deliveries the caller sees. */
const emailDeliveries = (key: string) =>
  Effect.map(
    call("GET", `${V1}/deliveries?limit=200`, { key }),
    (answer) => (expectData(answer) as Array<{ kind: string; url: string; status: string; target: string; method: string }>)
      .filter((d) => d.kind === "email")
  )

describe("emails", () => {
  it.layer(MailServer)("to the billing contact, branded by the partner", (it) => {
    it.effect("an issued invoice is emailed to the billing contact, in the partner's name, in the customer's language", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        expectData(yield* call("PUT", `${V1}/settings`, {
          key: partnerKey,
          body: { branding: { display_name: "Acme Telecom", primary_color: "#112233", support_email: "help@acme.example" } }
        }))
        const customer = yield* createCustomer(partner.id, { email: "office@client.example" }, partnerKey)
        expectData(
          yield* call("POST", `${V1}/customers/${customer.id}/contacts`, {
            key: partnerKey,
            body: { name: "Jane Payer", email: "jane@client.example", role: "billing" }
          }),
          201
        )
        const invoiceId = yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("40.00")] })
        const invoice = expectData(yield* call("GET", `${V1}/invoices/${invoiceId}`, { key: partnerKey }))
        yield* runOnce

        const mails = mailTo("jane@client.example")
        expect(mails).toHaveLength(1)
        const mail = mails[0]!
        expect(mail.subject).toBe(`Invoice ${invoice.number} - Acme Telecom`)
        expect(mail.from?.value[0]).toMatchObject({ name: "Acme Telecom", address: "billing@acme.example" })
        expect(mail.replyTo?.value[0]?.address).toBe("help@acme.example")
        expect(mail.text).toContain("40.00 EUR")
        expect(mail.text).toContain(invoice.due_date)
        expect(mail.html).toContain("#112233")
        // The customer's own address is not used while it has a billing contact.
        expect(mailTo("office@client.example")).toHaveLength(0)

        const german = yield* createCustomer(partner.id, { email: "buchhaltung@kunde.example", language: "de-AT" }, partnerKey)
        yield* finalizedInvoice({ customerId: german.id, lines: [chargeOf("12.50")] })
        yield* runOnce
        const [deMail] = mailTo("buchhaltung@kunde.example")
        expect(deMail?.subject).toMatch(/^Rechnung INV-/)
        expect(deMail?.headers.get("content-language")).toBe("de")
      }))

    it.effect("a mailbox refused for now is retried; one refused for good is dead; both visible in /deliveries", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const busy = yield* createCustomer(partner.id, { email: "busy@client.example" }, partnerKey)
        const gone = yield* createCustomer(partner.id, { email: "gone@client.example" }, partnerKey)
        yield* finalizedInvoice({ customerId: busy.id, lines: [chargeOf("1.00")] })
        yield* finalizedInvoice({ customerId: gone.id, lines: [chargeOf("1.00")] })
        yield* runOnce
        const emails = yield* emailDeliveries(partnerKey)
        expect(emails.find((d) => d.url === "mailto:busy@client.example")).toMatchObject({
          status: "retrying",
          target: "smtp",
          method: "SEND"
        })
        expect(emails.find((d) => d.url === "mailto:gone@client.example")).toMatchObject({ status: "dead" })
      }))
  })

  it.layer(OrderingServer)("without a mail server", (it) => {
    it.effect("no email delivery is made at all", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id, { email: "nobody@client.example" }, partnerKey)
        yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("5.00")] })
        yield* runOnce
        expect(yield* emailDeliveries(partnerKey)).toEqual([])
      }))
  })
})
