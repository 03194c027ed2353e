import { serveReceiver } from "@provisio/adapters/testing/receivers"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import Stripe from "stripe"

/**
 * A stand-in for the few endpoints of Stripe's API that Provisio calls, on a loopback port, for
 * the official SDK pointed at it (`PROVISIO_STRIPE_API_BASE`). It answers as Stripe's API
 * reference describes: form-encoded requests, objects of the shapes of Stripe's own examples
 * (fixtures/stripe/objects.json), a declined card as `402` with a `card_error` carrying its
 * `decline_code` and the PaymentIntent, and idempotency keys honoured (the same key is answered
 * with the first answer, as Stripe does for 24 hours).
 *
 * - `POST /v1/payment_intents` (confirm, off_session): the outcome is the next of those scripted
 *   for its `payment_method` (`script`), the last one repeating; `succeeded` when none is.
 * - `POST /v1/refunds`: refunds a PaymentIntent it made, `succeeded`.
 */

const FIXTURES = fileURLToPath(new URL("./fixtures/stripe/objects.json", import.meta.url))
const objects = JSON.parse(fs.readFileSync(FIXTURES, "utf8")) as Record<string, Record<string, any>>

/** A copy of Stripe's example object of `kind`, with `fields` set. */
export const stripeObject = (kind: "payment_intent" | "refund" | "charge" | "dispute" | "event", fields: Record<string, unknown>) =>
  ({ ...structuredClone(objects[kind]!), ...fields })

export type ChargeOutcome = "succeeded" | "processing" | { readonly decline: string }

export interface StripeCall {
  readonly path: string
  readonly idempotencyKey: string | undefined
  readonly authorization: string | undefined
  readonly params: Record<string, any>
}

export interface StripeStandIn {
  readonly url: string
  /** The POSTs to /v1/payment_intents and /v1/refunds, idempotent replays too, in order. */
  readonly calls: () => ReadonlyArray<StripeCall>
  /** How the next charges of `paymentMethod` go, in order (the last repeats). */
  readonly script: (paymentMethod: string, outcomes: ReadonlyArray<ChargeOutcome>) => void
  /** The PaymentIntents made, by id. */
  readonly intents: Map<string, Record<string, any>>
}

/** `a[b][c]=v` form fields as nested objects (what the SDK sends). */
const parseForm = (body: string): Record<string, any> => {
  const result: Record<string, any> = {}
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, "").split("[")
    let target = result
    for (const part of path.slice(0, -1)) target = (target[part] ??= {})
    target[path[path.length - 1]!] = value
  }
  return result
}

export const serveStripeStandIn = Effect.gen(function* () {
  const calls: Array<StripeCall> = []
  const scripts = new Map<string, Array<ChargeOutcome>>()
  const answered = new Map<string, { readonly status: number; readonly body: string }>()
  const intents = new Map<string, Record<string, any>>()
  let sequence = 0
  const nextId = (prefix: string) => `${prefix}_standin${String(++sequence).padStart(8, "0")}`
  const created = () => Math.floor(Date.now() / 1000)

  const outcomeFor = (paymentMethod: string): ChargeOutcome => {
    const queue = scripts.get(paymentMethod)
    if (queue === undefined || queue.length === 0) return "succeeded"
    return queue.length === 1 ? queue[0]! : queue.shift()!
  }

  const createIntent = (params: Record<string, any>) => {
    const amount = Number(params.amount)
    const outcome = outcomeFor(params.payment_method)
    const id = nextId("pi")
    const charge = nextId("ch")
    const status = outcome === "succeeded" ? "succeeded" : outcome === "processing" ? "processing" : "requires_payment_method"
    const decline = typeof outcome === "object"
      ? {
        type: "card_error",
        code: "card_declined",
        decline_code: outcome.decline,
        message: outcome.decline === "insufficient_funds" ? "Your card has insufficient funds." : "Your card was declined.",
        charge,
        doc_url: "https://stripe.com/docs/error-codes/card-declined"
      }
      : null
    const intent = stripeObject("payment_intent", {
      id,
      amount,
      amount_received: status === "succeeded" ? amount : 0,
      currency: params.currency,
      customer: params.customer ?? null,
      payment_method: params.payment_method,
      description: params.description ?? null,
      metadata: params.metadata ?? {},
      status,
      latest_charge: charge,
      last_payment_error: decline === null ? null : { ...decline, payment_method: { id: params.payment_method, object: "payment_method" } },
      next_action: null,
      canceled_at: null,
      created: created(),
      client_secret: `${id}_secret_standin`
    })
    intents.set(id, intent)
    if (decline !== null) return { status: 402, body: { error: { ...decline, payment_intent: intent } } }
    return { status: 200, body: intent }
  }

  const createRefund = (params: Record<string, any>) => {
    const intent = intents.get(params.payment_intent)
    if (intent === undefined) {
      return {
        status: 404,
        body: { error: { type: "invalid_request_error", code: "resource_missing", param: "payment_intent", message: `No such payment_intent: '${params.payment_intent}'` } }
      }
    }
    return {
      status: 200,
      body: stripeObject("refund", {
        id: nextId("re"),
        amount: Number(params.amount ?? intent.amount),
        currency: intent.currency,
        charge: intent.latest_charge,
        payment_intent: intent.id,
        metadata: params.metadata ?? {},
        status: "succeeded",
        created: created()
      })
    }
  }

  const receiver = yield* serveReceiver((call, response) => {
    const path = call.path.split("?")[0]!
    const params = parseForm(call.body)
    const idempotencyKey = call.headers["idempotency-key"] as string | undefined
    calls.push({ path, idempotencyKey, authorization: call.headers.authorization, params })
    const replay = idempotencyKey === undefined ? undefined : answered.get(`${path} ${idempotencyKey}`)
    const answer = replay ?? (() => {
      const made = call.method === "POST" && path === "/v1/payment_intents"
        ? createIntent(params)
        : call.method === "POST" && path === "/v1/refunds"
        ? createRefund(params)
        : { status: 404, body: { error: { type: "invalid_request_error", message: `Unrecognized request URL (${call.method}: ${path})` } } }
      const text = { status: made.status, body: JSON.stringify(made.body) }
      if (idempotencyKey !== undefined) answered.set(`${path} ${idempotencyKey}`, text)
      return text
    })()
    response.writeHead(answer.status, { "content-type": "application/json", "request-id": `req_standin${calls.length}` })
    response.end(answer.body)
  })

  return {
    url: receiver.url,
    calls: () => [...calls],
    script: (paymentMethod, outcomes) => void scripts.set(paymentMethod, [...outcomes]),
    intents
  } satisfies StripeStandIn
})

/** A webhook event of `type` about `object`, as Stripe sends it, and its `Stripe-Signature` for `secret` at `timestamp` (unix seconds). */
export const signedEvent = (
  type: string,
  object: Record<string, unknown>,
  secret: string,
  timestamp: number,
  id = `evt_standin${Math.random().toString(36).slice(2, 12)}`
) => {
  const payload = JSON.stringify(stripeObject("event", {
    id,
    type,
    created: timestamp,
    api_version: Stripe.API_VERSION,
    data: { object }
  }), null, 2)
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })
  return { id, payload, signature }
}
