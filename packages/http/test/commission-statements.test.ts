import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { call, channel, createKey, expectData } from "./harness"
import { insertInvoice } from "./commissions-fixtures"
import { exportWorld, fetchExport, parseCsv } from "./exports-fixtures"
import { createCustomer, exampleCatalog, expectError, OrderingServer, V1 } from "./ordering-fixtures"

const PERIOD = "2026-11"

const statements = (query: Record<string, string>, key?: string) =>
  call("GET", `${V1}/commissions/statements?${new URLSearchParams(query)}`, { key })

const settle = (id: string, key?: string) => call("POST", `${V1}/commissions/statements/${id}/settle`, { key })

describe("commission statements", () => {
  it.layer(OrderingServer)("statements", (it) => {
    it.effect("one per account and currency, its total the summary's commission; the entries export names it", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, other, partner, partnerKey } = yield* exportWorld(PERIOD)
        const listed = expectData(yield* statements({ period: PERIOD }, distributorKey))
        expect(listed.map((s: any) => s.account_id)).toEqual([distributor.id, other.id, partner.id])
        const summary = expectData(yield* call("GET", `${V1}/commissions/summary?period=${PERIOD}`, { key: distributorKey }))
        for (const statement of listed) {
          expect(statement.id).toMatch(/^cms_/)
          expect(statement).toMatchObject({ period: PERIOD, currency: "EUR", status: "open", settled_at: null })
          const account = summary.accounts.find((a: any) => a.account_id === statement.account_id)
          expect(statement.total).toEqual(account.commission)
          expect(statement.net_revenue).toEqual(account.net_revenue)
          expect(statement.invoices).toBe(account.invoices)
        }
        // Paged like every list (meta.page), in the same order: a page of one, then the rest from its cursor.
        const whole = yield* statements({ period: PERIOD }, distributorKey)
        expect(whole.body.meta.page).toEqual({ limit: 50, next_cursor: null })
        const first = yield* statements({ period: PERIOD, limit: "1" }, distributorKey)
        expect(expectData(first).map((s: any) => s.id)).toEqual([listed[0].id])
        expect(first.body.meta.page.limit).toBe(1)
        const rest = expectData(yield* statements({ period: PERIOD, limit: "2", cursor: first.body.meta.page.next_cursor }, distributorKey))
        expect(rest.map((s: any) => s.id)).toEqual(listed.slice(1).map((s: any) => s.id))
        expectError(yield* statements({ period: PERIOD, limit: "0" }, distributorKey), 422, "validation_error", "limit")
        expectError(yield* statements({ period: PERIOD, cursor: "garbage" }, distributorKey), 422, "validation_error", "cursor")
        // Listing again answers the same statements, not new ones.
        expect(expectData(yield* statements({ period: PERIOD }, distributorKey))).toEqual(listed)
        // A partner sees its own; account_id narrows; out of reach is 404 naming the field.
        const own = expectData(yield* statements({ period: PERIOD }, partnerKey))
        expect(own.map((s: any) => s.account_id)).toEqual([partner.id])
        expect(expectData(yield* statements({ period: PERIOD, account_id: other.id }, distributorKey)).map((s: any) => s.account_id))
          .toEqual([other.id])
        expectError(yield* statements({ period: PERIOD, account_id: other.id }, partnerKey), 404, "not_found", "account_id")
        // The entries export names the statement of each entry.
        const entries = parseCsv((yield* fetchExport("commissions", { period: PERIOD }, partnerKey)).text).rows
        expect(new Set(entries.map((r) => r["statement_id"]))).toEqual(new Set([own[0].id]))
        expectError(yield* statements({ period: "2026-13" }, distributorKey), 422, "validation_error", "period")
        expectError(yield* statements({}, distributorKey), 422, "validation_error", "period")
      }))

    it.effect("an admin above the payee settles it once; the payee, a manager, another partner and a customer may not", () =>
      Effect.gen(function* () {
        const { customer, distributor, distributorKey, otherKey, partner, partnerKey } = yield* exportWorld(PERIOD)
        const listed = expectData(yield* statements({ period: PERIOD }, distributorKey))
        const ofPartner = listed.find((s: any) => s.account_id === partner.id)
        const ofDistributor = listed.find((s: any) => s.account_id === distributor.id)

        expectError(yield* settle(ofPartner.id, partnerKey), 403, "forbidden")
        expectError(yield* settle(ofDistributor.id, distributorKey), 403, "forbidden")
        expectError(yield* settle(ofPartner.id, otherKey), 404, "not_found")
        expectError(yield* settle(ofPartner.id, yield* createKey(distributor.id, "manager")), 403, "forbidden")
        expectError(yield* settle(ofPartner.id, yield* createKey(customer.id)), 403, "forbidden")
        expectError(yield* settle("cms_nothing", distributorKey), 404, "not_found")

        // Settling takes no parameters: a part of the commission named in the body was dropped unseen and the whole settled.
        const partly = yield* call("POST", `${V1}/commissions/statements/${ofPartner.id}/settle`, {
          key: distributorKey,
          body: { amount: { amount: "0.01", currency: "EUR" } }
        })
        expectError(partly, 422, "validation_error", "amount")
        expect(partly.body.error.message).toBe("is not taken: this action has no parameters (send no body, or {})")
        const settled = expectData(yield* settle(ofPartner.id, distributorKey))
        expect(settled).toMatchObject({ id: ofPartner.id, status: "settled", total: ofPartner.total })
        expect(settled.settled_at).toMatch(/^\d{4}-\d{2}-\d{2}T/)
        expectError(yield* settle(ofPartner.id, distributorKey), 409, "invalid_state")
        // The platform pays the distributor.
        expect(expectData(yield* settle(ofDistributor.id)).status).toBe("settled")

        const events = expectData(yield* call("GET", `${V1}/events?type=commission_statement.settled`, { key: partnerKey }))
        expect(events.map((e: any) => e.data.commission_statement.id)).toContain(ofPartner.id)

        // A settled statement keeps what it was paid on; the month's later revenue does not change it.
        const catalog = yield* exampleCatalog
        const late = yield* createCustomer(partner.id)
        yield* insertInvoice({
          customer_id: late.id,
          period: PERIOD,
          lines: [{ amount: "1000.00", product_id: catalog.products["UCaaS Seat"]!, plan_id: catalog.plans["UCaaS Seat Monthly"]! }]
        })
        const after = expectData(yield* statements({ period: PERIOD, account_id: partner.id }, distributorKey))
        expect(after).toHaveLength(1)
        expect(after[0]).toMatchObject({ id: ofPartner.id, status: "settled", total: ofPartner.total })
        const summary = expectData(yield* call("GET", `${V1}/commissions/summary?period=${PERIOD}&partner_id=${partner.id}`, { key: distributorKey }))
        expect(summary.accounts[0].commission.amount).not.toBe(ofPartner.total.amount)
      }))

    it.effect("a credit note takes its lines off the commission in the month it is issued; the month paid out stays", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const seat = { product_id: catalog.products["UCaaS Seat"]!, plan_id: catalog.plans["UCaaS Seat Monthly"]! }
        const { distributorKey, partner } = yield* channel()
        const rule = (body: Record<string, unknown>) =>
          Effect.map(call("POST", `${V1}/commissions/rules`, { key: distributorKey, body: { account_id: partner.id, effective_from: "2026-01-01", ...body } }),
            (r) => expectData(r, 201))
        const general = yield* rule({ percentage: "10" })
        const seats = yield* rule({ percentage: "20", plan_id: seat.plan_id })
        const customer = yield* createCustomer(partner.id)
        const eur = (amount: string) => ({ amount, currency: "EUR" })
        const ofPartner = (period: string) => Effect.map(statements({ period, account_id: partner.id }, distributorKey), (r) => expectData(r)[0])

        // November: 100.00 of seats at 20 % and 50.00 at 10 %, paid out.
        const november = yield* insertInvoice({ customer_id: customer.id, period: PERIOD, lines: [{ amount: "100.00", ...seat }, { amount: "50.00" }] })
        const paidOut = expectData(yield* settle((yield* ofPartner(PERIOD)).id, distributorKey))
        expect(paidOut).toMatchObject({ net_revenue: eur("150.00"), total: eur("25.00"), invoices: 1, status: "settled" })

        // December: 40.00 of the seats line, 15.00 gross (no tax here) spread 10.00 / 5.00, then,
        // the invoice paid, 10.00 of line 2, left as credit that the December invoice spends.
        yield* TestClock.setTime(Date.parse("2026-12-05T12:00:00Z"))
        const credit = (body: Record<string, unknown>) =>
          Effect.map(call("POST", `${V1}/invoices/${november}/credit-notes`, { body: { reason: "Outage", ...body } }), (r) => expectData(r, 201))
        yield* credit({ lines: [{ line_id: "1", amount: "40.00" }] })
        expect(yield* credit({ amount: eur("15.00") })).toMatchObject({ subtotal: eur("15.00") })
        expectData(yield* call("POST", `${V1}/payments`, { body: { invoice_id: november, amount: eur("95.00") } }), 201)
        expect(yield* credit({ lines: [{ line_id: "2", amount: "10.00" }] })).toMatchObject({ remaining: eur("10.00") })
        const december = yield* insertInvoice({ customer_id: customer.id, period: "2026-12", lines: [{ amount: "200.00" }] })
        expect(expectData(yield* call("GET", `${V1}/invoices/${december}`)).total).toEqual(eur("190.00"))

        // 200.00 (its -10.00 credit line is the note's, counted once) - 40 - 15 - 10 = 135.00; seats
        // -50.00 at 20 % = -10.00, the rest 185.00 at 10 % = 18.50. It counted 200.00 - 10.00 before.
        const summary = expectData(yield* call("GET", `${V1}/commissions/summary?period=2026-12&partner_id=${partner.id}`, { key: distributorKey }))
        expect(summary.accounts).toEqual([expect.objectContaining({
          net_revenue: eur("135.00"), commission: eur("8.50"), invoices: 1, invoice_ids: [december],
          by_rule: [
            { rule_id: general.id, percentage: "10", net_revenue: eur("185.00"), commission_exact: "18.5" },
            { rule_id: seats.id, percentage: "20", net_revenue: eur("-50.00"), commission_exact: "-10" }
          ]
        })])
        const statement = yield* ofPartner("2026-12")
        expect(statement).toMatchObject({ net_revenue: eur("135.00"), total: eur("8.50"), invoices: 1, status: "open" })
        // The entries export agrees: the December invoice's line, then an entry per note and line credited.
        const entries = parseCsv((yield* fetchExport("commissions", { period: "2026-12" }, distributorKey)).text).rows
          .filter((r) => r["account_id"] === partner.id)
        expect(entries.map((r) => [r["invoice_id"], r["line_number"], r["net_amount"], r["rule_id"], r["statement_id"], r["credit_note_id"] === "" ? "" : "crn"]))
          .toEqual(expect.arrayContaining([
            [december, "1", "200.00", general.id, statement.id, ""],
            [november, "1", "-40.00", seats.id, statement.id, "crn"],
            [november, "2", "-10.00", general.id, statement.id, "crn"]
          ]))
        expect(entries).toHaveLength(5)
        const sum = (column: string) => BigDecimal.format(BigDecimal.normalize(BigDecimal.sumAll(entries.map((r) => BigDecimal.unsafeFromString(r[column]!)))))
        expect([sum("net_amount"), sum("commission_exact")]).toEqual(["135", "8.5"])
        // November, paid out, is as it was paid, and so is its summary.
        expect(yield* ofPartner(PERIOD)).toEqual(paidOut)
        const before = expectData(yield* call("GET", `${V1}/commissions/summary?period=${PERIOD}&partner_id=${partner.id}`, { key: distributorKey }))
        expect(before.accounts[0]).toMatchObject({ net_revenue: eur("150.00"), commission: eur("25.00") })
      }))

    it.effect("a gross note on a 1.00 invoice counts to the cent; what came after a settlement names no statement", () =>
      Effect.gen(function* () {
        const { distributorKey, partner } = yield* channel()
        const eur = (amount: string) => ({ amount, currency: "EUR" })
        expectData(yield* call("POST", `${V1}/commissions/rules`, {
          key: distributorKey, body: { account_id: partner.id, effective_from: "2026-01-01", percentage: "3" }
        }), 201)
        const customer = yield* createCustomer(partner.id)
        const ofPartner = Effect.map(statements({ period: PERIOD, account_id: partner.id }, distributorKey), (r) => expectData(r)[0])
        yield* TestClock.setTime(Date.parse("2026-11-10T12:00:00Z"))
        const small = yield* insertInvoice({ customer_id: customer.id, period: PERIOD, lines: [{ amount: "1.00" }] })
        const paid = expectData(yield* settle((yield* ofPartner).id, distributorKey))
        expect(paid).toMatchObject({ net_revenue: eur("1.00"), total: eur("0.03"), status: "settled" })

        // After the settlement, in the same month: half of it credited (a gross amount, spread over
        // its line: a 3 % share of that once had 23 decimal places, and the month answered 500), and
        // another invoice.
        yield* TestClock.setTime(Date.parse("2026-11-20T12:00:00Z"))
        expectData(yield* call("POST", `${V1}/invoices/${small}/credit-notes`, { body: { reason: "Outage", amount: eur("0.50") } }), 201)
        const late = yield* insertInvoice({ customer_id: customer.id, period: PERIOD, lines: [{ amount: "10.00" }] })
        expect(yield* ofPartner).toEqual(paid)
        // 1.00 + 10.00 - 0.50; 0.03 + 0.30 - 0.015 = 0.315, rounded half-up once.
        const summary = expectData(yield* call("GET", `${V1}/commissions/summary?period=${PERIOD}&partner_id=${partner.id}`, { key: distributorKey }))
        expect(summary.accounts[0]).toMatchObject({ net_revenue: eur("10.50"), commission: eur("0.32") })

        // The entries naming the paid statement are what it paid; those that came later name none.
        const decimal = (text: string) => BigDecimal.format(BigDecimal.normalize(BigDecimal.unsafeFromString(text)))
        const entries = parseCsv((yield* fetchExport("commissions", { period: PERIOD }, distributorKey)).text).rows
          .filter((r) => r["account_id"] === partner.id)
          .map((r) => [r["invoice_id"], decimal(r["net_amount"]!), decimal(r["commission_exact"]!), r["statement_id"], r["credit_note_id"] === "" ? "" : "crn"])
        expect(entries).toEqual([
          [small, "1", "0.03", paid.id, ""],
          [late, "10", "0.3", "", ""],
          [small, "-0.5", "-0.015", "", "crn"]
        ])
      }))

    it.effect("customers have no statements (403)", () =>
      Effect.gen(function* () {
        const { customer } = yield* exportWorld(PERIOD)
        expectError(yield* statements({ period: PERIOD }, yield* createKey(customer.id)), 403, "forbidden")
      }))
  })
})
