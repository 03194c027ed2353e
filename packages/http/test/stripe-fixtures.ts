import * as SqlClient from "@effect/sql/SqlClient"
import { Collector } from "@provisio/core/collection/collector"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { call, channel, expectData, TestServer, withSettings } from "./harness"
import { createCustomer, NO_RATE_LIMITS, OrderingServer, V1 } from "./ordering-fixtures"
import { serveStripeStandIn, signedEvent, type StripeStandIn } from "./stripe-stand-in"

/**
 * What the collector, webhook and refund tests share: a test server whose Stripe gateway talks
 * to the stand-in (`PROVISIO_STRIPE_API_BASE`), customers paying by a saved Stripe card, and
 * signed webhook calls.
 */

export class StandIn extends Context.Tag("test/StripeStandIn")<StandIn, StripeStandIn>() {}

export const WEBHOOK_SECRET = "whsec_c3RhbmQtaW4gc2lnbmluZyBzZWNyZXQ"
export const WEBHOOKS = `${V1}/gateways/stripe/webhooks`

/** The test server with Stripe configured against the stand-in (and `settings` besides), and the stand-in. */
export const stripeServerWith = (settings: Record<string, string>) =>
  Layer.unwrapScoped(Effect.map(serveStripeStandIn, (standIn) =>
    withSettings({
      ...NO_RATE_LIMITS,
      PROVISIO_STRIPE_SECRET_KEY: "sk_test_standin",
      PROVISIO_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PROVISIO_STRIPE_API_BASE: standIn.url,
      ...settings
    })(TestServer).pipe(Layer.merge(Layer.succeed(StandIn, standIn)))
  ))

/** The test server with Stripe configured against the stand-in, and the stand-in. */
export const StripeServer = stripeServerWith({})

/** The test server with no Stripe settings at all. */
export const UnconfiguredServer = OrderingServer

/** The stand-in's Customer, for tokens `cus_standin:pm_...`. */
export const STRIPE_CUSTOMER = "cus_standin"

/**
 * A customer of a new partner whose default payment method is a Stripe card, `paymentMethod`
 * (a PaymentMethod id; scripts of the stand-in are per PaymentMethod, so tests use their own),
 * attached to the Stripe Customer `stripeCustomerId` (none: the token names the PaymentMethod alone).
 */
export const stripeCustomer = (paymentMethod: string, currency = "EUR", stripeCustomerId: string | null = STRIPE_CUSTOMER) =>
  Effect.gen(function* () {
    const { partner, partnerKey } = yield* channel()
    const customer = yield* createCustomer(partner.id, { currency })
    const method = expectData(
      yield* call("POST", `${V1}/customers/${customer.id}/paymentMethods`, {
        body: {
          type: "card",
          gateway: "stripe",
          token: stripeCustomerId === null ? paymentMethod : `${stripeCustomerId}:${paymentMethod}`,
          brand: "visa",
          last4: "4242",
          exp_month: 12,
          exp_year: 2030,
          is_default: true
        }
      }),
      201
    )
    return { partner, partnerKey, customer, method }
  })

/** One collector run at the clock's time. */
export const collect = Effect.flatMap(Collector, (collector) => collector.collectDue()).pipe(Effect.orDie)

/** The invoice as the API shows it. */
export const invoiceOf = (id: string) => Effect.map(call("GET", `${V1}/invoices/${id}`), (a) => expectData(a))

/** The invoice's automatic-charge queue, straight from the table. */
export const chargeQueueOf = (id: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ next_charge_at: string | null; charge_failures: number }>`
      select to_char(next_charge_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as next_charge_at, charge_failures
        from invoices where id = ${id}`
    return { next_charge_at: rows[0]!.next_charge_at, charge_failures: Number(rows[0]!.charge_failures) }
  }).pipe(Effect.orDie)

/** The clock's time in unix seconds (what a webhook's signature is dated). */
export const unixNow = Effect.map(DateTime.now, (now) => Math.floor(DateTime.toEpochMillis(now) / 1000))

/** A webhook call of `type` about `object`, signed for the test server's secret now; answered as is. */
export const sendWebhook = (type: string, object: Record<string, unknown>, options: { readonly id?: string; readonly secret?: string } = {}) =>
  Effect.gen(function* () {
    const event = signedEvent(type, object, options.secret ?? WEBHOOK_SECRET, yield* unixNow, options.id)
    const answer = yield* call("POST", WEBHOOKS, { key: null, raw: event.payload, headers: { "stripe-signature": event.signature } })
    return { event, answer }
  })
