import { afterAll, describe, expect, it } from "@effect/vitest"
import { serveReceiver } from "@provisio/adapters/testing/receivers"
import { Dunning } from "@provisio/core/collection/dunning"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as crypto from "node:crypto"
import { call, expectData } from "./harness"
import { chargeOf, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, exampleCatalog, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"
import { ledgerFigures } from "./payments-fixtures"
import { realSleep } from "./real-time"
import { camtStatement, importXml } from "./reconciliation-fixtures"
import { startInbox } from "./smtp-fixtures"
import { collect, invoiceOf, StandIn, stripeCustomer, stripeServerWith } from "./stripe-fixtures"

/**
 * Order to cash over simulated weeks (the test clock), every door real: Stripe's SDK against the
 * stand-in, a camt.053 statement, the delivery engine pushing to a loopback provider, emails to an
 * SMTP server in this process. One customer pays by card: the charge fails twice and succeeds on
 * the third try. Another never pays: it is reminded, warned, suspended (the provider gets the
 * signed UPDATE with status suspended), pays by bank transfer and is resumed (UPDATE, active).
 */

const inbox = await startInbox()
afterAll(() => inbox.close())

const Server = stripeServerWith({ PROVISIO_SMTP_URL: inbox.url, PROVISIO_SMTP_FROM: "billing@fjord.example" })

const T0 = Date.parse("2026-09-01T08:00:00.000Z")
const DAY = 24 * 3600 * 1000
const day = (n: number, hours = 0) => setNow(new Date(T0 + n * DAY + hours * 3600 * 1000).toISOString())

const runDunning = Effect.flatMap(Dunning, (dunning) => dunning.runDue)
const deliver = Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce)
/** What a scheduler turn and the delivery workers do, at the clock's time. */
const turn = Effect.all([collect, runDunning, deliver])

/**
 * Until `address` has `count` emails: on a loaded machine an SMTP send can outlast its time-out
 * and be retried a few minutes later, so the workers run again with the clock moved on by minutes
 * (nothing else in this story is due within hours).
 */
const mailsTo = (address: string, count: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 24 && inbox.to(address).length < count; i++) {
      yield* TestClock.adjust("5 minutes")
      yield* deliver
      yield* realSleep(20)
    }
    return inbox.to(address)
  })

/** Standard Webhooks' signature of a call, checked by hand: the receiver's clock is the test's. */
const signedBy = (secret: string, headers: Record<string, unknown>, body: string) => {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64")
  const expected = crypto.createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest("base64")
  return String(headers["webhook-signature"]).split(" ").includes(`v1,${expected}`)
}

describe("order to cash", () => {
  it.layer(Server)("weeks of collection", (it) => {
    it.scoped("a card paid on the third try; an unpaid customer reminded, warned, suspended, paid by transfer and resumed", () =>
      Effect.gen(function* () {
        yield* day(0)
        const standIn = yield* StandIn
        const provider = yield* serveReceiver((_call, response) => response.writeHead(204).end())
        const catalog = yield* exampleCatalog
        const target = expectData(yield* call("PUT", `${V1}/products/${catalog.products["UCaaS Seat"]}/provisioning`, {
          body: { base_url: provider.url, endpoints: ["subscriptions"] }
        }))

        // Fjord Telecom, a partner, sells to two customers.
        const card = yield* stripeCustomer("pm_card_third_time")
        const { partner, partnerKey } = card
        expectData(yield* call("PUT", `${V1}/settings`, {
          key: partnerKey,
          body: { branding: { display_name: "Fjord Telecom", support_email: "help@fjord.example" } }
        }))
        expectData(yield* call("POST", `${V1}/customers/${card.customer.id}/contacts`, {
          key: partnerKey,
          body: { name: "Ann Card", email: "ann@card.example", role: "billing" }
        }), 201)
        const transfer = yield* createCustomer(partner.id, { email: "bob@transfer.example", timezone: "Europe/Oslo" }, partnerKey)
        expect(card.customer.id).not.toBe(transfer.id)
        standIn.script("pm_card_third_time", [{ decline: "insufficient_funds" }, { decline: "insufficient_funds" }, "succeeded"])

        const plan = catalog.plans["UCaaS Seat Monthly"]
        yield* subscribe(card.customer.id, { plan_id: plan, characteristics: SEAT }, partnerKey)
        const seat = yield* subscribe(transfer.id, { plan_id: plan, characteristics: SEAT }, partnerKey)
        const cardInvoice = yield* finalizedInvoice({ customerId: card.customer.id, lines: [chargeOf("30.00", "Seat")] })
        const transferInvoice = yield* finalizedInvoice({ customerId: transfer.id, lines: [chargeOf("45.00", "Seat")] })
        expect((yield* invoiceOf(cardInvoice)).collection_method).toBe("charge_automatically")
        expect((yield* invoiceOf(transferInvoice))).toMatchObject({ collection_method: "send_invoice", due_date: "2026-09-15" })

        // Day 0: both invoices are emailed; the card is declined (the email names the next try).
        yield* turn
        expect(inbox.to("ann@card.example").map((m) => m.subject)).toEqual([
          expect.stringMatching(/^Invoice INV-/),
          expect.stringMatching(/^Payment of invoice INV-.* failed/)
        ])
        expect(inbox.to("ann@card.example")[1]!.text).toContain("2026-09-02")
        expect(inbox.to("bob@transfer.example").map((m) => m.subject)).toEqual([expect.stringMatching(/^Invoice INV-.* - Fjord Telecom$/)])

        // Day 1: declined again; day 3: paid.
        yield* day(1, 1)
        yield* turn
        yield* day(3, 1)
        yield* turn
        const paidByCard = yield* invoiceOf(cardInvoice)
        expect(paidByCard.status).toBe("paid")
        expect(paidByCard.payment_attempts.map((a: { status: string; decline_code: string | null }) => [a.status, a.decline_code])).toEqual([
          ["failed", "insufficient_funds"],
          ["failed", "insufficient_funds"],
          ["succeeded", null]
        ])
        expect((yield* mailsTo("ann@card.example", 4)).map((m) => m.subject).slice(2)).toEqual([
          expect.stringMatching(/^Payment of invoice INV-.* failed/),
          expect.stringMatching(/^Payment received/)
        ])

        // The transfer customer: due on 15 September; reminded on the 16th, warned on the 22nd,
        // suspended on the 29th.
        const stages = [[15, null], [16, "reminder"], [22, "warning"], [29, "suspend"]] as const
        for (const [n, stage] of stages) {
          yield* day(n - 1, 9)
          yield* turn
          expect(expectData(yield* call("GET", `${V1}/customers/${transfer.id}`, { key: partnerKey })).dunning_stage).toBe(stage)
        }
        // The emails go out through the outbox and SMTP: the last may still be on its way.
        expect((yield* mailsTo("bob@transfer.example", 4)).map((m) => m.subject).slice(1)).toEqual([
          "Payment reminder - Fjord Telecom",
          "Overdue payment: please pay now - Fjord Telecom",
          "Your services are suspended - Fjord Telecom"
        ])
        const pushes = () =>
          provider.calls().filter((c) => c.path === `/subscriptions/${seat.id}`).map((c) => ({ c, body: JSON.parse(c.body) }))
        const suspended = pushes().find(({ body }) => body.subscription.status === "suspended")
        expect(suspended?.c.method).toBe("PUT")
        expect(suspended?.body.action).toBe("UPDATE")
        expect(signedBy(target.secret, suspended!.c.headers, suspended!.c.body)).toBe(true)

        // Day 30: the bank statement books the transfer, quoting the invoice's creditor reference.
        yield* day(29, 10)
        const reference = (yield* invoiceOf(transferInvoice)).payment_reference
        const statement = expectData(yield* importXml(camtStatement({
          id: "FJORD-2026-09-30",
          date: "2026-09-30",
          iban: "NO9386011117947",
          credits: [{ ref: "1", amount: "45.00", creditorReference: reference, debtor: "Transfer AS" }]
        }), partnerKey), 201)
        expect(statement.lines).toMatchObject([{ status: "matched", invoice_id: transferInvoice }])
        yield* turn
        expect(expectData(yield* call("GET", `${V1}/customers/${transfer.id}`, { key: partnerKey })).dunning_stage).toBe(null)
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${seat.id}`, { key: partnerKey })).status).toBe("active")
        const resumed = pushes().filter(({ body }) => body.subscription.status === "active").at(-1)
        expect(resumed?.c.method).toBe("PUT")
        expect(signedBy(target.secret, resumed!.c.headers, resumed!.c.body)).toBe(true)
        expect(inbox.to("bob@transfer.example").map((m) => m.subject).at(-1)).toBe("Payment received - Fjord Telecom")

        // Both settled, and the ledger holds: what is booked equals what is due less credit.
        for (const customer of [card.customer.id, transfer.id]) {
          expect(yield* ledgerFigures(customer)).toEqual([{ currency: "EUR", ledger: "0.00", due_minus_credit: "0.00" }])
        }
      }))
  })
})
