import { afterAll, describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import { expectUblArithmetic, expectValidUbl, fetchDocument, pdfText } from "./documents-fixtures"
import { chargeOf, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, V1 } from "./ordering-fixtures"
import { mailServerFor, startInbox } from "./smtp-fixtures"

/** The invoice email carries the PDF, and the UBL for customers that ask for e-invoices (a real SMTP server, mailparser). */
const inbox = await startInbox()
afterAll(() => inbox.close())

const MailServer = mailServerFor(inbox)

const runOnce = Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce)

describe("documents by email", () => {
  it.layer(MailServer)("the invoice email", (it) => {
    it.effect("attaches the invoice's PDF (the API's bytes); a customer with e_invoicing gets the UBL too; the delivery stores a reference only", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        expectData(yield* call("PUT", `${V1}/settings`, {
          key: partnerKey,
          body: { legal: { name: "Acme Telecom GmbH", country: "DE", tax_id: "DE811907980", iban: "DE89370400440532013000" } }
        }))
        const paper = yield* createCustomer(partner.id, { email: "paper@client.example" }, partnerKey)
        const digital = yield* createCustomer(partner.id, { email: "edi@client.example", e_invoicing: true }, partnerKey)
        expect(paper.e_invoicing).toBe(false)
        expect(digital.e_invoicing).toBe(true)
        const paperInvoice = yield* finalizedInvoice({ customerId: paper.id, lines: [chargeOf("40.00")] })
        const digitalInvoice = yield* finalizedInvoice({ customerId: digital.id, lines: [chargeOf("25.00", "Router")] })
        const number = (id: string) => Effect.map(call("GET", `${V1}/invoices/${id}`), (a) => expectData(a).number as string)
        yield* runOnce

        const [paperMail] = inbox.to("paper@client.example")
        expect(paperMail?.attachments.map((a) => [a.filename, a.contentType])).toEqual([[`${yield* number(paperInvoice)}.pdf`, "application/pdf"]])
        const pdf = new Uint8Array(paperMail!.attachments[0]!.content)
        expect(pdfText(pdf)).toContain(`Invoice ${yield* number(paperInvoice)}`)
        expect(pdfText(pdf)).toMatch(/Amount due\s+40\.00 EUR/)
        // The attachment is the document the API serves, byte for byte.
        expect(Buffer.from((yield* fetchDocument(`${V1}/invoices/${paperInvoice}/pdf`)).bytes).equals(Buffer.from(pdf))).toBe(true)

        const [digitalMail] = inbox.to("edi@client.example")
        const digitalNumber = yield* number(digitalInvoice)
        expect(digitalMail?.attachments.map((a) => [a.filename, a.contentType]))
          .toEqual([[`${digitalNumber}.pdf`, "application/pdf"], [`${digitalNumber}.xml`, "application/xml"]])
        expect(pdfText(new Uint8Array(digitalMail!.attachments[0]!.content))).toContain("Router")
        const xml = digitalMail!.attachments[1]!.content.toString("utf8")
        expectValidUbl(xml)
        expect(expectUblArithmetic(xml)["cbc:ID"]).toBe(digitalNumber)

        // The delivery keeps the reference, not the documents.
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ body: string }>`select body::text as body from deliveries where kind = 'email' and url like ${"%edi@client.example%"}`
        expect(rows).toHaveLength(1)
        const body = JSON.parse(rows[0]!.body)
        expect(body.documents).toEqual({ invoice_id: digitalInvoice, kinds: ["pdf", "ubl"] })
        expect(body.attachments).toBeUndefined()
        expect(rows[0]!.body.length).toBeLessThan(10_000)
      }))

    it.effect("e_invoicing is set and cleared by PUT /customers/{id}; anything but a boolean is 422", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id, {}, partnerKey)
        expect(expectData(yield* call("PUT", `${V1}/customers/${customer.id}`, { key: partnerKey, body: { e_invoicing: true } })).e_invoicing).toBe(true)
        expect(expectData(yield* call("PUT", `${V1}/customers/${customer.id}`, { key: partnerKey, body: { name: "Renamed" } })).e_invoicing).toBe(true)
        const refused = yield* call("PUT", `${V1}/customers/${customer.id}`, { key: partnerKey, body: { e_invoicing: "yes" } })
        expect(refused.status).toBe(422)
        expect(refused.body.error.field).toBe("e_invoicing")
      }))
  })
})
