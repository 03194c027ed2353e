import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, createDistributor, createKey, createPartner, expectData, expectError } from "./harness"
import { addItem, checkout, createCustomer, draftOrder, order, runDue, OrderingServer, setNow, subscribe, V1 } from "./ordering-fixtures"
import { awaitRun, eur, invoiceOf, LARGEST, planAt, priceList, readOrderEverywhere, skuAt, workedExample } from "./price-lists-fixtures"

/** Price lists per tier and the price chain (docs/channel.md, the worked example asserted here). */

const priceAs = (planId: string, query: string, key?: string) => call("GET", `${V1}/plans/${planId}/price?${query}`, { key })

const steps = (chain: ReadonlyArray<any>) => chain.map((s) => [s.account_id, s.price_list_id, s.price.amount])

describe("price lists", () => {
  it.layer(OrderingServer)("the worked example", (it) => {
    it.effect("the chain as the platform sees it: every tier, every list and rule", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const answer = expectData(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}&date=2026-11-01`))
        expect(answer.price).toEqual(eur("11.99"))
        const platformId = answer.chain[0].account_id
        expect(steps(answer.chain)).toEqual([
          [platformId, null, "10.00"],
          [w.distributor.id, w.lists.platform.id, "7.00"],
          [w.partner.id, w.lists.distributor.id, "8.40"],
          [w.customer.id, w.lists.partner.id, "11.99"]
        ])
        expect(answer.chain[1].rule).toMatchObject({ all: true, type: "discount_percent", value: "30", rounding: "cent" })
        expect(answer.chain[3].rule).toMatchObject({ plan_id: w.plan.id, type: "fixed", value: "11.99" })
        // The platform's own price is the list price; a customer that does not exist is not found.
        const own = expectData(yield* priceAs(w.plan.id, ""))
        expect(steps(own.chain)).toEqual([[platformId, null, "10.00"]])
        expectError(yield* priceAs(w.plan.id, "customer_id=cus_nothere"), 404, "not_found")
      }))

    it.effect("a partner's chain starts at what it pays: no 7.00, no distributor's rule", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const answer = expectData(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}`, w.keys.partner))
        expect(steps(answer.chain)).toEqual([[w.partner.id, null, "8.40"], [w.customer.id, w.lists.partner.id, "11.99"]])
        expect(answer.chain[0].rule).toBeNull()
        expect(answer.text ?? JSON.stringify(answer)).not.toContain("7.00")
        expect(JSON.stringify(answer)).not.toContain(w.lists.distributor.id)
        // Its own buying price, asked for itself.
        const own = expectData(yield* priceAs(w.plan.id, "", w.keys.partner))
        expect(own.price).toEqual(eur("8.40"))
        expect(steps(own.chain)).toEqual([[w.partner.id, null, "8.40"]])
        // The distributor sees from its own cost down.
        const distributor = expectData(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}`, w.keys.distributor))
        expect(steps(distributor.chain)).toEqual([
          [w.distributor.id, null, "7.00"],
          [w.partner.id, w.lists.distributor.id, "8.40"],
          [w.customer.id, w.lists.partner.id, "11.99"]
        ])
        // Above or beside: not found.
        expectError(yield* priceAs(w.plan.id, `account_id=${w.distributor.id}`, w.keys.partner), 404, "not_found")
        expectError(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}`, w.keys.sibling), 404, "not_found")
        // A step with no list takes the plan's price: the sibling partner buys at the list price.
        const sibling = expectData(yield* priceAs(w.plan.id, `account_id=${w.sibling.id}`))
        expect(steps(sibling.chain).map((s) => s[2])).toEqual(["10.00", "7.00", "8.40"])
      }))

    it.effect("a billing run bills one month of 10 seats at 11.99: 119.90 net; the preview agrees", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        yield* subscribe(w.customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner)
        yield* setNow("2026-11-20T00:00:00Z")
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${w.customer.id}/upcoming-invoice`, { key: w.keys.partner }))
        expect(upcoming.subtotal).toEqual(eur("119.90"))
        expect(upcoming.lines[0]).toMatchObject({ quantity: "10", unit_price: "11.99", amount: "119.90" })
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: w.keys.partner, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, w.keys.partner)).status).toBe("completed")
        const invoice = yield* invoiceOf(w.customer.id, w.keys.partner)
        expect(invoice.subtotal).toEqual(eur("119.90"))
        expect(invoice.lines).toHaveLength(1)
        expect(invoice.lines[0]).toMatchObject({ kind: "recurring", quantity: "10", unit_price: "11.99", amount: "119.90" })
      }))
  })

  it.layer(OrderingServer)("access", (it) => {
    it.effect("a partner sees its own lists, never its distributor's nor another partner's", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        expectError(yield* call("GET", `${V1}/price-lists/${w.lists.distributor.id}`, { key: w.keys.partner }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/price-lists/${w.lists.sibling.id}`, { key: w.keys.partner }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/price-lists/${w.lists.platform.id}`, { key: w.keys.distributor }), 404, "not_found")
        const own = yield* call("GET", `${V1}/price-lists`, { key: w.keys.partner })
        expect(expectData(own).map((l: any) => l.id)).toEqual([w.lists.partner.id])
        expect(own.body.meta.page).toMatchObject({ limit: 50, next_cursor: null })
        expect(expectData(yield* call("GET", `${V1}/price-lists/${w.lists.partner.id}`, { key: w.keys.partner })))
          .toMatchObject({ owner_account_id: w.partner.id, assignments: { all: false, account_ids: [], customer_ids: [w.customer.id] } })
        // The distributor above reads its partner's list; it cannot change another tier's assignment outside its scope.
        expectData(yield* call("GET", `${V1}/price-lists/${w.lists.partner.id}`, { key: w.keys.distributor }))
        expectError(yield* call("PUT", `${V1}/price-lists/${w.lists.distributor.id}`, { key: w.keys.partner, body: { name: "Mine" } }),
          404, "not_found")
        expectError(yield* call("DELETE", `${V1}/price-lists/${w.lists.sibling.id}`, { key: w.keys.partner }), 404, "not_found")
      }))

    it.effect("assigning outside the owner's scope is 422 with the field named", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const list = w.lists.distributor.id
        expectError(yield* call("PUT", `${V1}/price-lists/${list}/assignments`, {
          key: w.keys.distributor, body: { account_ids: [w.partner.id, w.otherDistributor.id] }
        }), 422, "validation_error", "account_ids[1]")
        expectError(yield* call("PUT", `${V1}/price-lists/${list}/assignments`, {
          key: w.keys.distributor, body: { customer_ids: [w.customer.id] }
        }), 422, "validation_error", "customer_ids")
        expectError(yield* call("PUT", `${V1}/price-lists/${w.lists.partner.id}/assignments`, {
          key: w.keys.partner, body: { account_ids: [w.partner.id] }
        }), 422, "validation_error", "account_ids")
        expectError(yield* call("PUT", `${V1}/price-lists/${list}/assignments`, { key: w.keys.distributor, body: {} }),
          422, "validation_error", "account_ids")
        expectError(yield* call("PUT", `${V1}/price-lists/${w.lists.sibling.id}/assignments`, {
          key: w.keys.sibling, body: { customer_ids: [w.customer.id] }
        }), 422, "validation_error", "customer_ids[0]")
      }))

    it.effect("deleting a partner or customer takes it off the lists naming it (a partner's own lists go too); billing history is 409", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const named = yield* priceList(w.keys.distributor, { name: "Named", rules: [{ all: true, type: "markup_percent", value: "10" }] },
          { account_ids: [w.partner.id, w.sibling.id] })
        // The sibling has no customer, one list of its own, and is named on its distributor's list: it can go (it was a 500).
        expect((yield* call("DELETE", `${V1}/partners/${w.sibling.id}`, { key: w.keys.distributor })).status).toBe(204)
        expectError(yield* call("GET", `${V1}/price-lists/${w.lists.sibling.id}`, { key: w.keys.distributor }), 404, "not_found")
        expect(expectData(yield* call("GET", `${V1}/price-lists/${named.id}`, { key: w.keys.distributor })).assignments)
          .toEqual({ all: false, account_ids: [w.partner.id], customer_ids: [] })
        // A customer deleted leaves its partner's list too.
        const gone = yield* createCustomer(w.partner.id, { name: "Gone" }, w.keys.partner)
        expectData(yield* call("PUT", `${V1}/price-lists/${w.lists.partner.id}/assignments`, {
          key: w.keys.partner, body: { customer_ids: [w.customer.id, gone.id] }
        }))
        expect((yield* call("DELETE", `${V1}/customers/${gone.id}`, { key: w.keys.partner })).status).toBe(204)
        expect(expectData(yield* call("GET", `${V1}/price-lists/${w.lists.partner.id}`, { key: w.keys.partner })).assignments)
          .toEqual({ all: false, account_ids: [], customer_ids: [w.customer.id] })
        // A partner whose billing run is on record keeps its history: 409, not a database failure.
        const billed = yield* createPartner(w.distributor.id, "standard", "Billed Telecom")
        const billedKey = yield* createKey(billed.id)
        yield* priceList(billedKey, { name: "Own", rules: [] })
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: billedKey, body: { period: "2026-10" } }), 202)
        yield* awaitRun(run.id, billedKey)
        expectError(yield* call("DELETE", `${V1}/partners/${billed.id}`, { key: w.keys.distributor }), 409, "invalid_state")
        expect(expectData(yield* call("GET", `${V1}/partners/${billed.id}`, { key: w.keys.distributor })).id).toBe(billed.id)
      }))

    it.effect("a new assignment changes the list: its updated_at moves, as for any other change", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const before = expectData(yield* call("GET", `${V1}/price-lists/${w.lists.distributor.id}`, { key: w.keys.distributor }))
        yield* setNow("2027-01-04T08:00:00Z")
        const after = expectData(yield* call("PUT", `${V1}/price-lists/${w.lists.distributor.id}/assignments`, {
          key: w.keys.distributor, body: { account_ids: [w.partner.id] }
        }))
        expect(after.assignments).toEqual({ all: false, account_ids: [w.partner.id], customer_ids: [] })
        expect(after.created_at).toBe(before.created_at)
        expect(after.updated_at).toBe("2027-01-04T08:00:00.000Z")
      }))
  })

  it.layer(OrderingServer)("rules, rounding and validity", (it) => {
    it.effect("ninety_nine rounds the partner's cost up to 8.99; a list by name wins over one for all", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const named = yield* priceList(w.keys.distributor, {
          name: "Rounded", rules: [{ plan_id: w.plan.id, type: "markup_percent", value: "20", rounding: "ninety_nine" }]
        }, { account_ids: [w.partner.id] })
        const answer = expectData(yield* priceAs(w.plan.id, `account_id=${w.partner.id}`, w.keys.distributor))
        expect(steps(answer.chain)).toEqual([[w.distributor.id, null, "7.00"], [w.partner.id, named.id, "8.99"]])
        // The sibling still has the list for all: 8.40.
        expect(expectData(yield* priceAs(w.plan.id, `account_id=${w.sibling.id}`, w.keys.distributor)).price).toEqual(eur("8.40"))
        // A free price stays free: a fixed 0 or a 100 % discount is 0.00, not 0.99.
        for (const rule of [{ type: "fixed", value: "0" }, { type: "discount_percent", value: "100" }]) {
          expectData(yield* call("PUT", `${V1}/price-lists/${w.lists.partner.id}`, {
            key: w.keys.partner, body: { rules: [{ plan_id: w.plan.id, rounding: "ninety_nine", ...rule }] }
          }))
          expect(expectData(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}`, w.keys.partner)).price).toEqual(eur("0.00"))
        }
      }))

    it.effect("a list applies from valid_from: one from the 15th prices the next period, not the one from the 1st", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const late = yield* priceList(w.keys.sibling, {
          name: "From the 15th", valid_from: "2026-11-15", rules: [{ all: true, type: "fixed", value: "9.50" }]
        }, { all: true })
        const customer = expectData(yield* call("POST", `${V1}/customers`, { key: w.keys.sibling, body: { name: "Late" } }), 201)
        expect(expectData(yield* priceAs(w.plan.id, `customer_id=${customer.id}&date=2026-11-14`, w.keys.sibling)).price)
          .toEqual(eur("10.00"))
        const on15 = expectData(yield* priceAs(w.plan.id, `customer_id=${customer.id}&date=2026-11-15`, w.keys.sibling))
        expect(steps(on15.chain)).toEqual([[w.sibling.id, null, "8.40"], [customer.id, late.id, "9.50"]])
        yield* subscribe(customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.sibling)
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: w.keys.sibling, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, w.keys.sibling)).status).toBe("completed")
        // at_renewal: the November period started on the 1st, at the list price.
        expect((yield* invoiceOf(customer.id, w.keys.sibling)).subtotal).toEqual(eur("100.00"))
        // December's period starts after the 15th: 9.50.
        yield* setNow("2026-12-10T00:00:00Z")
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${customer.id}/upcoming-invoice`, { key: w.keys.sibling }))
        expect(upcoming.subtotal).toEqual(eur("95.00"))
        // valid_to is exclusive.
        expectData(yield* call("PUT", `${V1}/price-lists/${late.id}`, { key: w.keys.sibling, body: { valid_to: "2026-12-01" } }))
        // Out of order, the bound that was sent is named.
        const put = (body: Record<string, unknown>) => call("PUT", `${V1}/price-lists/${late.id}`, { key: w.keys.sibling, body })
        expectError(yield* put({ valid_from: "2027-07-01" }), 422, "validation_error", "valid_from")
        expectError(yield* put({ valid_to: "2026-11-15" }), 422, "validation_error", "valid_to")
        expectError(yield* put({ valid_from: "2027-07-01", valid_to: "2027-06-01" }), 422, "validation_error", "valid_to")
        expect(expectData(yield* priceAs(w.plan.id, `customer_id=${customer.id}&date=2026-12-01`, w.keys.sibling)).price)
          .toEqual(eur("10.00"))
      }))

    it.effect("apply: immediately prorates the period in course at each price, like a plan change", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const customer = expectData(yield* call("POST", `${V1}/customers`, { key: w.keys.sibling, body: { name: "Now" } }), 201)
        yield* subscribe(customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.sibling)
        const now = yield* priceList(w.keys.sibling, {
          name: "From the 16th, at once", valid_from: "2026-11-16", apply: "immediately", rules: [{ all: true, type: "fixed", value: "9.50" }]
        }, { customer_ids: [customer.id] })
        expect(now.apply).toBe("immediately")
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: w.keys.sibling, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, w.keys.sibling)).status).toBe("completed")
        const invoice = yield* invoiceOf(customer.id, w.keys.sibling)
        // 10 x 10.00 x 15/30 + 10 x 9.50 x 15/30
        expect(invoice.lines.map((l: any) => [l.kind, l.unit_price, l.amount, l.period_start.slice(0, 10), l.period_end.slice(0, 10)])).toEqual([
          ["proration", "10.00", "50.00", "2026-11-01", "2026-11-16"],
          ["proration", "9.50", "47.50", "2026-11-16", "2026-12-01"]
        ])
        expect(invoice.subtotal).toEqual(eur("97.50"))
      }))

    it.effect("PUT changes what it is sent (currency too); a currency it cannot take or another owner is 422, never ignored", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const put = (body: Record<string, unknown>) =>
          call("PUT", `${V1}/price-lists/${w.lists.partner.id}`, { key: w.keys.partner, body })
        expectError(yield* put({ currency: "usd" }), 422, "validation_error", "currency")
        expectError(yield* put({ owner_account_id: w.sibling.id }), 422, "validation_error", "owner_account_id")
        expect(expectData(yield* call("GET", `${V1}/price-lists/${w.lists.partner.id}`, { key: w.keys.partner })).currency).toBe("EUR")
        // The list as it was read, sent back with another currency: the owner as it is passes.
        const changed = expectData(yield* put({ owner_account_id: w.partner.id, name: "Retail USD", currency: "USD" }))
        expect(changed).toMatchObject({ owner_account_id: w.partner.id, name: "Retail USD", currency: "USD" })
        expect(expectData(yield* call("GET", `${V1}/price-lists/${w.lists.partner.id}`, { key: w.keys.partner })).currency).toBe("USD")
        // A USD list no longer prices the EUR plan: the customer buys at the list price.
        expect(expectData(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}`, w.keys.partner)).price).toEqual(eur("10.00"))
      }))

    it.effect("bad input is 422 with the field named, never a 500", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const create = (body: Record<string, unknown>) =>
          call("POST", `${V1}/price-lists`, { key: w.keys.partner, body: { name: "Bad", currency: "EUR", valid_from: "2026-01-01", rules: [], ...body } })
        expectError(yield* create({ rules: [{ all: true, type: "markup_percent" }] }), 422, "validation_error", "rules[0].value")
        expectError(yield* create({ rules: [{ all: true, type: "markup_percent", value: 20 }] }), 422, "validation_error", /^rules/)
        expectError(yield* create({ rules: [{ all: true, type: "discount_percent", value: "120" }] }), 422, "validation_error", "rules[0].value")
        expectError(yield* create({ rules: [{ type: "fixed", value: "1" }] }), 422, "validation_error", "rules[0].plan_id")
        expectError(yield* create({ rules: [{ plan_id: "pln_nothere", type: "fixed", value: "1" }] }), 422, "validation_error", "rules[0].plan_id")
        expectError(yield* create({ rules: [{ all: true, type: "fixed", value: "1", rounding: "up" }] }), 422, "validation_error", /^rules/)
        expectError(yield* create({ currency: "EURO" }), 422, "validation_error", "currency")
        expectError(yield* create({ valid_from: "2026-02-30" }), 422, "validation_error", "valid_from")
        expectError(yield* create({ valid_to: "2025-12-31" }), 422, "validation_error", "valid_to")
        expectError(yield* create({ owner_account_id: w.distributor.id }), 422, "validation_error", "owner_account_id")
        expectError(yield* priceAs(w.plan.id, `customer_id=${w.customer.id}&account_id=${w.partner.id}`, w.keys.partner),
          422, "validation_error", "account_id")
        expectError(yield* priceAs("pln_nothere", "", w.keys.partner), 404, "not_found")
        // customer_id names a customer, account_id an account: the other kind's id is not taken for it.
        expectError(yield* priceAs(w.plan.id, `customer_id=${w.partner.id}`, w.keys.partner), 422, "validation_error", "customer_id")
        expectError(yield* priceAs(w.plan.id, `account_id=${w.customer.id}`, w.keys.partner), 422, "validation_error", "account_id")
        // An id of the right prefix but too long is told what is wrong with it, not that it lacks the prefix.
        const tooLong = yield* priceAs(w.plan.id, `customer_id=cus_${"0".repeat(65)}`, w.keys.partner)
        expectError(tooLong, 422, "validation_error", "customer_id")
        expect(tooLong.body.error.message).toBe('must be an id starting with "cus_", then 1 to 64 lower-case letters and digits')
        const viewer = yield* call("POST", `${V1}/price-lists`, { key: w.keys.partner, body: { name: "x" } })
        expect(viewer.status).toBe(422)
      }))
  })

  it.layer(OrderingServer)("the largest prices", (it) => {
    const HUGE = "999999999999999999999999999999"
    const BOUND = "must have at most 12 digits before the point: a price is less than 1000000000000"

    it.effect("a price over the catalog's bound is 422 with its field, in a list as in the catalog", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const minutes = yield* skuAt("minutes", "0.10")
        const create = (rule: Record<string, unknown>) => call("POST", `${V1}/price-lists`, {
          key: w.keys.partner, body: { name: "Big", currency: "EUR", valid_from: "2026-01-01", rules: [rule] }
        })
        const fixed = yield* create({ plan_id: w.plan.id, type: "fixed", value: HUGE })
        expectError(fixed, 422, "validation_error", "rules[0].value")
        expect(fixed.body.error.message).toBe(BOUND)
        expectError(yield* create({ all: true, type: "fixed", value: "1000000000000" }), 422, "validation_error", "rules[0].value")
        const tiers = (second: Record<string, unknown>) => ({ sku_id: minutes.id, type: "fixed", tiers: [{ up_to: 100, unit_price: "0.05" }, second] })
        expectError(yield* create(tiers({ up_to: null, unit_price: HUGE })), 422, "validation_error", "rules[0].tiers[1].unit_price")
        expectError(yield* create(tiers({ up_to: null, unit_price: "0.01", flat_fee: HUGE })), 422, "validation_error", "rules[0].tiers[1].flat_fee")
        expectError(yield* create({ sku_id: minutes.id, type: "fixed", value: HUGE }), 422, "validation_error", "rules[0].value")
        expectError(yield* create({ all: true, type: "markup_percent", value: "1000.01" }), 422, "validation_error", "rules[0].value")
        expectError(yield* call("PUT", `${V1}/price-lists/${w.lists.partner.id}`, {
          key: w.keys.partner, body: { rules: [{ plan_id: w.plan.id, type: "fixed", value: HUGE }] }
        }), 422, "validation_error", "rules[0].value")
        // The catalog's prices have the same bound and the same words.
        const plan = yield* call("POST", `${V1}/plans`, {
          body: { product_id: w.product.id, name: "Huge", price: eur(HUGE), billing_interval: "month" }
        })
        expectError(plan, 422, "validation_error", "price.amount")
        expect(plan.body.error.message).toBe(BOUND)
        expectError(yield* call("PUT", `${V1}/pricing/${minutes.id}`, { body: { unit_price: HUGE } }), 422, "validation_error", "unit_price")
        // The largest price passes everywhere.
        expectData(yield* create({ plan_id: w.plan.id, type: "fixed", value: LARGEST }), 201)
        expectData(yield* create(tiers({ up_to: null, unit_price: LARGEST, flat_fee: LARGEST })), 201)
      }))

    it.effect("three markups of 1000 % over the largest price, times a million units, still fit: every order read answers", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { plan } = yield* planAt(LARGEST)
        const sku = yield* skuAt("setup", "1.00")
        const distributor = yield* createDistributor("Big Distribution")
        const partner = yield* createPartner(distributor.id, "standard", "Big Telecom")
        const keys = { distributor: yield* createKey(distributor.id), partner: yield* createKey(partner.id) }
        const customer = yield* createCustomer(partner.id, { name: "Big customer" }, keys.partner)
        const markup = { all: true, type: "markup_percent", value: "1000" }
        yield* priceList(undefined, { rules: [markup] }, { account_ids: [distributor.id] })
        yield* priceList(keys.distributor, { rules: [markup] }, { all: true })
        yield* priceList(keys.partner, {
          rules: [{ ...markup, rounding: "ninety_nine" },
            { sku_id: sku.id, type: "fixed", tiers: [{ up_to: 10, unit_price: LARGEST, flat_fee: LARGEST }, { up_to: null, unit_price: LARGEST }] }]
        }, { customer_ids: [customer.id] })
        // 999999999999.99 x 11 x 11 x 11, then up to .99.
        expect(expectData(yield* priceAs(plan.id, `customer_id=${customer.id}`)).price).toEqual(eur("1330999999999986.99"))
        const done = yield* order(customer.id, [{ plan_id: plan.id, quantity: 1_000_000 }, { sku_id: sku.id, quantity: 1000 }], keys.partner)
        expect(done.items.map((i: any) => i.amount)).toEqual([eur("1330999999999986990000.00"), eur("1000999999999989.99")])
        const read = yield* readOrderEverywhere(done.id, customer.id, keys)
        expect(read.total).toEqual(eur("1331001000999986989989.99"))
        // A draft of the same is read and deleted.
        const draft = yield* draftOrder(customer.id, keys.partner)
        expectData(yield* addItem(draft.id, { plan_id: plan.id, quantity: 1_000_000 }, keys.partner), 201)
        yield* readOrderEverywhere(draft.id, customer.id, keys)
        expect((yield* call("DELETE", `${V1}/orders/${draft.id}`, { key: keys.partner })).status).toBe(204)
      }))

    it.effect("a list kept from before the bound: the item is refused (422 quantity) or fails at checkout, never stored past an amount", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const keys = { partner: w.keys.partner, distributor: w.keys.distributor }
        const sql = yield* SqlClient.SqlClient
        const draft = yield* draftOrder(w.customer.id, w.keys.partner)
        expectData(yield* addItem(draft.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner), 201)
        yield* sql`update price_list_rules set value = ${HUGE}::numeric where price_list_id = ${w.lists.partner.id}`
        const refused = yield* addItem(draft.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner)
        expectError(refused, 422, "validation_error", "quantity")
        expect(refused.body.error.message).toContain("more than an amount may hold")
        const failed = expectData(yield* checkout(draft.id, w.keys.partner))
        expect(failed.status).toBe("failed")
        expect(failed.items[0].error).toContain("quantity 10 units come to 9999999999999999999999999999990.00 EUR")
        expect((yield* readOrderEverywhere(draft.id, w.customer.id, keys)).items[0].amount).toEqual(eur("119.90"))
      }))
  })
})
