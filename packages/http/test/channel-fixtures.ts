import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { call, expectData } from "./harness"
import { runDue, setNow, subscribe, V1 } from "./ordering-fixtures"
import { awaitRun, workedExample } from "./price-lists-fixtures"

/**
 * docs/channel.md's worked example carried through a billing run with upstream invoicing: the
 * platform and the distributor established in Germany, the partner in Austria (so the
 * distributor's invoice to it is a B2B reverse charge and the platform's to the distributor
 * domestic at 19 %).
 */

export const germanVat = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const found = yield* sql<{ n: number }>`select count(*)::int as n from tax_rates where country = 'DE'`
  if ((found[0]?.n ?? 0) === 0) {
    expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "DE", category: "standard", rate: "19.0", valid_from: "2020-01-01" } }), 201)
  }
})

export const settings = (key: string | undefined, body: Record<string, unknown>) =>
  Effect.map(call("PUT", `${V1}/settings`, { key, body }), (a) => expectData(a))

/** The worked example, with upstream invoicing on at the platform and the distributor when `upstream`. */
export const channelExample = (upstream: boolean) =>
  Effect.gen(function* () {
    const w = yield* workedExample
    yield* germanVat
    const channel = { upstream_invoicing: upstream }
    yield* settings(undefined, { legal: { name: "Provisio Platform GmbH", country: "DE", tax_id: "DE811907980" }, channel })
    yield* settings(w.keys.distributor, { legal: { name: "Nordic Distribution GmbH", country: "DE", tax_id: "DE136695976" }, channel })
    yield* settings(w.keys.partner, { legal: { name: "Fjord Telecom GmbH", country: "AT", tax_id: "ATU13585627" } })
    return w
  }).pipe(Effect.orDie)

/** Subscribes the example's customer to 10 seats on 2026-11-01 and runs November's billing as `key` (the platform's when absent). */
export const billNovember = (w: Effect.Effect.Success<typeof workedExample>, key?: string) =>
  Effect.gen(function* () {
    yield* subscribe(w.customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner)
    yield* setNow("2026-12-01T00:00:00Z")
    yield* runDue
    const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key, body: { period: "2026-11" } }), 202)
    return yield* awaitRun(run.id, key)
  }).pipe(Effect.orDie)

export const upstreamInvoices = (key?: string, query = "") =>
  Effect.map(call("GET", `${V1}/channel/upstream-invoices${query}`, { key }), (a) => expectData(a) as Array<any>)

export const margins = (query: string, key?: string) => call("GET", `${V1}/channel/margins?${query}`, { key })
