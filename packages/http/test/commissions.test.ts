import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createDistributor, createKey, createPartner, expectData } from "./harness"
import { insertInvoice, sumOfTotals } from "./commissions-fixtures"
import { createCustomer, exampleCatalog, expectError, OrderingServer, V1 } from "./ordering-fixtures"

const RULES = `${V1}/commissions/rules`
const PERIOD = "2026-11"

const createRule = (body: Record<string, unknown>, key?: string) => call("POST", RULES, { key, body })

const summary = (query: Record<string, string>, key?: string) =>
  call("GET", `${V1}/commissions/summary?${new URLSearchParams(query)}`, { key })

const money = (amount: string, currency = "EUR") => ({ amount, currency })

/** The example catalog's products and plans the rules and lines name. */
const catalog = Effect.map(exampleCatalog, (c) => ({
  seat: c.products["UCaaS Seat"]!,
  seatMonthly: c.plans["UCaaS Seat Monthly"]!,
  seatAnnual: c.plans["UCaaS Seat Annual"]!,
  trunk: c.products["SIP Trunk"]!,
  trunkPlan: c.plans["SIP Trunk Channel Monthly"]!
}))

describe("commissions", () => {
  it.layer(OrderingServer)("rules", (it) => {
    it.effect("an account's commission is set from above: by the platform or its distributor, never by itself", () =>
      Effect.gen(function* () {
        const { seat, seatMonthly } = yield* catalog
        const { distributor, partner, distributorKey, partnerKey } = yield* channel()
        const general = { percentage: "10", effective_from: "2026-01-01" }

        const byDistributor = expectData(
          yield* createRule({ ...general, account_id: partner.id, plan_id: seatMonthly, product_id: seat, percentage: "12.50" }, distributorKey),
          201
        )
        expect(byDistributor).toMatchObject({
          account_id: partner.id,
          percentage: "12.5",
          product_id: seat,
          plan_id: seatMonthly,
          effective_from: "2026-01-01",
          effective_to: null
        })
        expect(byDistributor.id).toMatch(/^cmr_/)
        expect(expectData(yield* call("GET", `${RULES}/${byDistributor.id}`, { key: partnerKey }))).toEqual(byDistributor)

        const forDistributor = expectData(
          yield* createRule({ ...general, account_id: distributor.id, percentage: "3", effective_to: "2027-01-01" }),
          201
        )
        expect(forDistributor).toMatchObject({ account_id: distributor.id, percentage: "3", effective_to: "2027-01-01" })

        // Not its own, whoever asks.
        expectError(yield* createRule({ ...general, account_id: partner.id }, partnerKey), 403, "forbidden")
        expectError(yield* createRule({ ...general, account_id: distributor.id }, distributorKey), 403, "forbidden")
        // Not as a manager, and not for anything out of reach.
        const manager = yield* createKey(distributor.id, "manager")
        expectError(yield* createRule({ ...general, account_id: partner.id }, manager), 403, "forbidden")
        const foreign = yield* createPartner((yield* createDistributor("Foreign")).id)
        // An account out of reach, or none, is a field to fix, as an unknown customer_id or product_id is.
        expectError(yield* createRule({ ...general, account_id: foreign.id }, distributorKey), 422, "validation_error", "account_id")
        expectError(yield* createRule({ ...general, account_id: "acc_nothing" }), 422, "validation_error", "account_id")
        // Customers have no say.
        const customer = yield* createCustomer(partner.id)
        expectError(yield* createRule({ ...general, account_id: partner.id }, yield* createKey(customer.id)), 403, "forbidden")
        expectError(yield* createRule({ ...general, account_id: customer.id }), 422, "validation_error", "account_id")
        expectError(yield* call("GET", RULES, { key: yield* createKey(customer.id) }), 403, "forbidden")

        // The partner sees its own rule, the distributor its own and its partner's, the foreign distributor neither.
        const ids = (answer: any) => expectData(answer).map((r: any) => r.id)
        expect(ids(yield* call("GET", RULES, { key: partnerKey }))).toEqual([byDistributor.id])
        expect(ids(yield* call("GET", RULES, { key: distributorKey }))).toEqual([byDistributor.id, forDistributor.id])
        expect(ids(yield* call("GET", `${RULES}?account_id=${partner.id}`, { key: distributorKey }))).toEqual([byDistributor.id])
        expectError(yield* call("GET", `${RULES}?account_id=${foreign.id}`, { key: distributorKey }), 404, "not_found", "account_id")
        const foreignKey = yield* createKey(foreign.id)
        expectError(yield* call("GET", `${RULES}/${byDistributor.id}`, { key: foreignKey }), 404, "not_found")
        expect(ids(yield* call("GET", RULES, { key: foreignKey }))).toEqual([])
      }))

    it.effect("a rule's percentage, dates, product and plan are checked, naming the field", () =>
      Effect.gen(function* () {
        const { seat, trunk, seatMonthly } = yield* catalog
        const { partner } = yield* channel()
        const base = { account_id: partner.id, percentage: "10", effective_from: "2026-11-01" }
        const invalid = function* (body: Record<string, unknown>, field: string) {
          expectError(yield* createRule({ ...base, ...body }), 422, "validation_error", field)
        }
        yield* invalid({ percentage: "0" }, "percentage")
        yield* invalid({ percentage: "-5" }, "percentage")
        yield* invalid({ percentage: "100.01" }, "percentage")
        yield* invalid({ percentage: "12.34567" }, "percentage")
        yield* invalid({ percentage: 10 }, "percentage")
        yield* invalid({ effective_from: "2026-02-30" }, "effective_from")
        yield* invalid({ effective_to: "2026-11-01" }, "effective_to")
        yield* invalid({ effective_to: "2026-10-31" }, "effective_to")
        yield* invalid({ product_id: "prd_nothing" }, "product_id")
        yield* invalid({ plan_id: "pln_nothing" }, "plan_id")
        yield* invalid({ product_id: trunk, plan_id: seatMonthly }, "plan_id")
        // A SKU's rule is not a thing: it was dropped unseen and a general rule made instead.
        const bySku = yield* createRule({ ...base, sku_id: "sku_anything" })
        expectError(bySku, 422, "validation_error", "sku_id")
        expect(bySku.body.error.message).toContain("product_id")
        const rules = expectData(yield* call("GET", `${RULES}?account_id=${partner.id}`)) as ReadonlyArray<unknown>
        expect(rules).toEqual([])
        // The edges that are allowed.
        expectData(yield* createRule({ ...base, percentage: "100" }), 201)
        expectData(yield* createRule({ ...base, percentage: "0.0001", product_id: seat, effective_to: "2026-11-02" }), 201)
      }))
  })

  it.layer(OrderingServer)("summary", (it) => {
    /**
     * A distributor at 3%; its partner at 10%, 12% on the UCaaS Seat product, 15% on its monthly
     * plan, with rules that do not apply in November (one ended on Nov 1, one starts Dec 1, one
     * Nov 2); a second partner at 10% with three usage lines of 0.05. November invoices in EUR and USD, plus a draft, a void and an
     * October invoice that must not count.
     */
    const world = Effect.gen(function* () {
      const { seat, seatMonthly, seatAnnual, trunk, trunkPlan } = yield* catalog
      const { distributor, partner, distributorKey, partnerKey } = yield* channel()
      const other = yield* createPartner(distributor.id, "standard", "Other partner")
      const rule = function* (account_id: string, percentage: string, extra: Record<string, unknown> = {}, key?: string) {
        return expectData(yield* createRule({ account_id, percentage, effective_from: "2026-01-01", ...extra }, key), 201).id as string
      }
      yield* rule(distributor.id, "3")
      // The plan's rule wins over the product's and the product's over the general one, though they start later.
      const partnerSeat = yield* rule(partner.id, "15", { product_id: seat, plan_id: seatMonthly }, distributorKey)
      const partnerSeats = yield* rule(partner.id, "12", { product_id: seat, effective_from: "2026-09-01" }, distributorKey)
      const partnerGeneral = yield* rule(partner.id, "10", { effective_from: "2026-10-01" }, distributorKey)
      yield* rule(partner.id, "99", { plan_id: seatAnnual, effective_from: "2026-10-01", effective_to: "2026-11-01" }, distributorKey)
      yield* rule(partner.id, "50", { effective_from: "2026-12-01" }, distributorKey)
      yield* rule(partner.id, "40", { product_id: trunk, effective_from: "2026-11-02" }, distributorKey)
      const otherGeneral = yield* rule(other.id, "10")

      const customer = yield* createCustomer(partner.id)
      const otherCustomer = yield* createCustomer(other.id)
      const seatLine = { product_id: seat, plan_id: seatMonthly }
      const trunkLine = { product_id: trunk, plan_id: trunkPlan }
      const november = yield* insertInvoice({
        customer_id: customer.id,
        period: PERIOD,
        lines: [
          { ...seatLine, amount: "100.00" },
          { product_id: seat, plan_id: seatAnnual, amount: "20.00" },
          { ...trunkLine, amount: "50.00" },
          { kind: "credit", amount: "-10.00" }
        ]
      })
      const paid = yield* insertInvoice({
        customer_id: customer.id,
        period: PERIOD,
        status: "paid",
        lines: [{ ...trunkLine, kind: "usage", amount: "7.35" }]
      })
      yield* insertInvoice({ customer_id: customer.id, period: PERIOD, status: "void", lines: [{ ...seatLine, amount: "500.00" }] })
      // Made last: a customer has one open draft per currency and month, and the void one was a draft first.
      yield* insertInvoice({ customer_id: customer.id, period: PERIOD, status: "draft", lines: [{ ...seatLine, amount: "1000.00" }] })
      yield* insertInvoice({ customer_id: customer.id, period: "2026-10", lines: [{ ...seatLine, amount: "300.00" }] })
      const dollars = yield* insertInvoice({ customer_id: customer.id, period: PERIOD, currency: "USD", lines: [{ ...trunkLine, amount: "10.00" }] })
      const usage = yield* insertInvoice({
        customer_id: otherCustomer.id,
        period: PERIOD,
        lines: [0, 1, 2].map(() => ({ ...trunkLine, kind: "usage" as const, amount: "0.05" }))
      })
      return {
        distributor,
        partner,
        other,
        distributorKey,
        partnerKey,
        rules: { partnerGeneral, partnerSeat, partnerSeats, otherGeneral },
        invoices: { november, paid, dollars, usage }
      }
    })

    it.effect("each line at the account's most specific rule in force, rounded once per account and currency", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, invoices, other, partner, rules } = yield* world
        const answer = expectData(yield* summary({ period: PERIOD }, distributorKey))
        expect(answer.period).toBe(PERIOD)
        const sorted = (...ids: Array<string>) => [...ids].sort()
        expect(answer.accounts).toEqual([
          {
            account_id: distributor.id,
            account_kind: "distributor",
            name: distributor.name,
            currency: "EUR",
            // 167.35 of the partner + 0.15 of the other partner, at 3%: 5.025, half-up.
            net_revenue: money("167.50"),
            commission: money("5.03"),
            invoices: 3,
            invoice_ids: sorted(invoices.november, invoices.paid, invoices.usage),
            by_rule: [expect.objectContaining({ percentage: "3", net_revenue: money("167.50"), commission_exact: "5.025" })]
          },
          expect.objectContaining({
            account_id: distributor.id,
            currency: "USD",
            net_revenue: money("10.00", "USD"),
            commission: money("0.30", "USD"),
            invoice_ids: [invoices.dollars]
          }),
          {
            account_id: other.id,
            account_kind: "partner",
            name: "Other partner",
            currency: "EUR",
            net_revenue: money("0.15"),
            // Three lines of 0.005 commission: 0.015 rounds to 0.02 once (not 0.00, not 0.03).
            commission: money("0.02"),
            invoices: 1,
            invoice_ids: [invoices.usage],
            by_rule: [{ rule_id: rules.otherGeneral, percentage: "10", net_revenue: money("0.15"), commission_exact: "0.015" }]
          },
          {
            account_id: partner.id,
            account_kind: "partner",
            name: partner.name,
            currency: "EUR",
            // 100 seat + 20 annual seat + 50 trunk - 10 credit + 7.35 usage; draft, void and October left out.
            net_revenue: money("167.35"),
            // 100 x 15% + 20 x 12% + (50 - 10 + 7.35) x 10% = 15 + 2.4 + 4.735, half-up.
            commission: money("22.14"),
            invoices: 2,
            invoice_ids: sorted(invoices.november, invoices.paid),
            by_rule: [
              { rule_id: rules.partnerGeneral, percentage: "10", net_revenue: money("47.35"), commission_exact: "4.735" },
              { rule_id: rules.partnerSeats, percentage: "12", net_revenue: money("20.00"), commission_exact: "2.4" },
              { rule_id: rules.partnerSeat, percentage: "15", net_revenue: money("100.00"), commission_exact: "15" }
            ].sort((a, b) => a.rule_id.localeCompare(b.rule_id))
          },
          expect.objectContaining({
            account_id: partner.id,
            currency: "USD",
            net_revenue: money("10.00", "USD"),
            commission: money("1.00", "USD"),
            invoice_ids: [invoices.dollars]
          })
        ])
        // Each account's revenue is its invoices' totals: the same lines.
        for (const row of answer.accounts) {
          expect(yield* sumOfTotals(row.invoice_ids), `${row.account_id} ${row.currency}`).toBe(row.net_revenue.amount)
        }
      }))

    it.effect("a partner sees only itself; other accounts' ids are not found; the query is checked", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, other, partner, partnerKey } = yield* world
        const mine = expectData(yield* summary({ period: PERIOD }, partnerKey)).accounts
        expect(mine.map((a: any) => [a.account_id, a.currency])).toEqual([[partner.id, "EUR"], [partner.id, "USD"]])
        expect(expectData(yield* summary({ period: PERIOD, partner_id: partner.id }, partnerKey)).accounts).toEqual(mine)
        expectError(yield* summary({ period: PERIOD, partner_id: other.id }, partnerKey), 404, "not_found", "partner_id")
        expectError(yield* summary({ period: PERIOD, distributor_id: distributor.id }, partnerKey), 404, "not_found", "distributor_id")

        // One account asked for: only its rows, for the platform as for the distributor.
        const ofDistributor = expectData(yield* summary({ period: PERIOD, distributor_id: distributor.id })).accounts
        expect(ofDistributor.map((a: any) => [a.account_id, a.currency])).toEqual([[distributor.id, "EUR"], [distributor.id, "USD"]])
        const ofOther = expectData(yield* summary({ period: PERIOD, partner_id: other.id }, distributorKey)).accounts
        expect(ofOther.map((a: any) => a.commission)).toEqual([money("0.02")])
        // A partner id given as a distributor's is not one.
        expectError(yield* summary({ period: PERIOD, distributor_id: partner.id }, distributorKey), 404, "not_found", "distributor_id")

        const foreign = yield* createDistributor("Foreign")
        expectError(yield* summary({ period: PERIOD, distributor_id: foreign.id }, distributorKey), 404, "not_found", "distributor_id")
        expectError(
          yield* summary({ period: PERIOD, partner_id: partner.id, distributor_id: distributor.id }, distributorKey),
          422,
          "validation_error"
        )
        expectError(yield* summary({ period: "2026-13" }, distributorKey), 422, "validation_error", "period")
        expectError(yield* summary({}, distributorKey), 422, "validation_error", "period")
        // Another month: nothing billed, nothing owed.
        expect(expectData(yield* summary({ period: "2026-12" }, distributorKey)).accounts).toEqual([])
        const customer = yield* createCustomer(partner.id)
        expectError(yield* summary({ period: PERIOD }, yield* createKey(customer.id)), 403, "forbidden")
      }))
  })
})
