import type { ChargeRequest, ChargeResult, PaymentGateway, RefundRequest, RefundResult } from "@provisio/core/payments/ports"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type Stripe from "stripe"
import { toStripeAmount } from "./stripe-amounts.js"
import type { StripeApiSettings } from "./stripe-config.js"

/**
 * The Stripe gateway, on the official SDK (`stripe`, pinned): charges are off-session,
 * confirmed PaymentIntents of a saved PaymentMethod, refunds go through the Refunds API. Our id
 * of the charge (the attempt's `pat_`, or the payment's for `POST /payments`) and of the refund
 * (`ref_`) is Stripe's idempotency key, and the PaymentIntent's metadata carries our invoice,
 * attempt and payment ids, so its webhooks find them.
 *
 * A `stripe` payment method's `token` is `cus_...:pm_...` (the Stripe Customer the PaymentMethod
 * is attached to, then the PaymentMethod), or `pm_...` alone for one attached to no Customer.
 * Never card data: cards are collected by Stripe (Elements, Checkout, a SetupIntent).
 */

export const STRIPE_GATEWAY = "stripe"

export type StripeClient = Stripe

/** The SDK, loaded on first need: it is large, and a process that never talks to Stripe never loads it. */
export const loadStripeSdk = Effect.promise(() => import("stripe")).pipe(Effect.map((module) => module.default))

/** A client of Stripe's API when a secret key is set; none otherwise. */
export const makeStripeClient = (settings: StripeApiSettings): Effect.Effect<Option.Option<StripeClient>> =>
  Option.match(settings.secretKey, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (key) =>
      Effect.map(loadStripeSdk, (StripeSdk) => {
        const base = Option.getOrUndefined(settings.apiBase)
        return Option.some(new StripeSdk(Redacted.value(key), {
          maxNetworkRetries: 2,
          timeout: 30_000,
          appInfo: { name: "Provisio" },
          ...(base === undefined
            ? {}
            : {
              host: base.hostname,
              port: base.port === "" ? (base.protocol === "https:" ? 443 : 80) : Number(base.port),
              protocol: base.protocol === "https:" ? "https" : "http"
            })
        }))
      })
  })

/** A `stripe` method's token read: the PaymentMethod and, when given, its Customer. */
export const parseStripeToken = (
  token: string | null
): Either.Either<{ readonly customer: string | undefined; readonly paymentMethod: string }, string> => {
  const parts = (token ?? "").split(":")
  if (parts.length === 1 && /^pm_\w+$/.test(parts[0]!)) return Either.right({ customer: undefined, paymentMethod: parts[0]! })
  if (parts.length === 2 && /^cus_\w+$/.test(parts[0]!) && /^(pm|card|ba|src)_\w+$/.test(parts[1]!)) {
    return Either.right({ customer: parts[0], paymentMethod: parts[1]! })
  }
  return Either.left("the payment method's token is not a Stripe reference: it must be \"cus_...:pm_...\" or \"pm_...\"")
}

interface StripeFailure {
  readonly type?: string
  readonly message?: string
  readonly code?: string
  readonly decline_code?: string
  readonly payment_intent?: { readonly id?: string }
  readonly raw?: { readonly payment_intent?: { readonly id?: string } }
}

/** The SDK's failures that say nothing about whether Stripe acted: the network, Stripe's servers, its rate limit. */
const isTransient = (error: StripeFailure) =>
  error.type === "StripeConnectionError" || error.type === "StripeAPIError" || error.type === "StripeRateLimitError" ||
  error.type === undefined

const chargeFailure = (error: StripeFailure): ChargeResult => {
  const reason = error.message ?? "Stripe did not take the charge"
  if (error.type === "StripeCardError") {
    return {
      status: "failed",
      reason,
      decline_code: error.decline_code ?? error.code ?? null,
      reference: error.payment_intent?.id ?? error.raw?.payment_intent?.id ?? null
    }
  }
  if (isTransient(error)) return { status: "unknown", reason: `Stripe could not be reached: ${reason}` }
  return { status: "failed", reason: `Stripe refused the charge: ${reason}`, decline_code: error.code ?? null }
}

const intentResult = (intent: Stripe.PaymentIntent): ChargeResult => {
  switch (intent.status) {
    case "succeeded":
      return { status: "succeeded", reference: intent.id }
    case "processing":
    case "requires_action":
    case "requires_capture":
    case "requires_confirmation":
      return { status: "pending", reference: intent.id }
    default: {
      const error = intent.last_payment_error
      return {
        status: "failed",
        reason: error?.message ?? `the PaymentIntent is ${intent.status}`,
        decline_code: error?.decline_code ?? error?.code ?? null,
        reference: intent.id
      }
    }
  }
}

const NOT_CONFIGURED = "stripe is not configured: set PROVISIO_STRIPE_SECRET_KEY"

/** The gateway's answers on `client` (none: every call fails, saying Stripe is not configured). */
export const stripeGateway = (client: Option.Option<StripeClient>): PaymentGateway["Type"] => {
  const charge = (request: ChargeRequest): Effect.Effect<ChargeResult> => {
    if (Option.isNone(client)) return Effect.succeed({ status: "failed", reason: NOT_CONFIGURED })
    const stripe = client.value
    const token = parseStripeToken(request.payment_method?.token ?? null)
    if (Either.isLeft(token)) return Effect.succeed({ status: "failed", reason: token.left })
    const amount = toStripeAmount(request.amount)
    if (Either.isLeft(amount)) return Effect.succeed({ status: "failed", reason: amount.left })
    return Effect.tryPromise({
      try: () =>
        stripe.paymentIntents.create({
          amount: amount.right,
          currency: request.amount.currency.toLowerCase(),
          payment_method: token.right.paymentMethod,
          ...(token.right.customer === undefined ? {} : { customer: token.right.customer }),
          confirm: true,
          off_session: true,
          automatic_payment_methods: { enabled: true, allow_redirects: "never" },
          description: request.description,
          metadata: {
            provisio_invoice_id: request.invoice_id,
            provisio_payment_id: request.payment_id,
            ...(request.attempt_id === null ? {} : { provisio_attempt_id: request.attempt_id })
          }
        }, { idempotencyKey: request.idempotency_key }),
      catch: (error) => error as StripeFailure
    }).pipe(Effect.match({ onFailure: chargeFailure, onSuccess: intentResult }))
  }

  const refund = (request: RefundRequest): Effect.Effect<RefundResult> => {
    if (Option.isNone(client)) return Effect.succeed({ status: "failed", reason: NOT_CONFIGURED })
    const stripe = client.value
    if (request.reference === null || !request.reference.startsWith("pi_")) {
      return Effect.succeed({ status: "failed", reason: `payment ${request.payment_id} has no Stripe PaymentIntent to refund` })
    }
    const amount = toStripeAmount(request.amount)
    if (Either.isLeft(amount)) return Effect.succeed({ status: "failed", reason: amount.left })
    return Effect.tryPromise({
      try: () =>
        stripe.refunds.create({
          payment_intent: request.reference!,
          amount: amount.right,
          metadata: { provisio_refund_id: request.refund_id, provisio_payment_id: request.payment_id }
        }, { idempotencyKey: request.refund_id }),
      catch: (error) => error as StripeFailure
    }).pipe(Effect.match({
      onFailure: (error): RefundResult =>
        isTransient(error)
          ? { status: "pending", reference: null, reason: `Stripe could not be reached: ${error.message ?? "no answer"}` }
          : { status: "failed", reason: `Stripe refused the refund: ${error.message ?? "no reason given"}` },
      onSuccess: (made): RefundResult =>
        made.status === "succeeded"
          ? { status: "succeeded", reference: made.id }
          : made.status === "failed" || made.status === "canceled"
          ? { status: "failed", reason: `Stripe's refund ${made.id} is ${made.status}: ${made.failure_reason ?? "no reason given"}` }
          : { status: "pending", reference: made.id }
    }))
  }

  return { name: STRIPE_GATEWAY, charge, refund }
}
