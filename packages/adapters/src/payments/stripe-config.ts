import * as Config from "effect/Config"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * Stripe's settings, read from the environment by the adapters (never by the core):
 * - `PROVISIO_STRIPE_SECRET_KEY`: the API key (`sk_live_...`, `sk_test_...`, or a restricted
 *   `rk_...` allowed PaymentIntents and Refunds). Unset, a `stripe` payment method's charge fails
 *   with "stripe is not configured".
 * - `PROVISIO_STRIPE_WEBHOOK_SECRET`: the signing secret of the webhook endpoint (`whsec_...`).
 *   Unset, every call to `POST /gateways/stripe/webhooks` is refused (400).
 * - `PROVISIO_STRIPE_API_BASE`: where Stripe's API is, e.g. `http://127.0.0.1:12111` for a
 *   stand-in (the tests, stripe-mock) or a proxy; Stripe's own API when unset.
 */

export interface StripeApiSettings {
  readonly secretKey: Option.Option<Redacted.Redacted<string>>
  readonly apiBase: Option.Option<URL>
}

export const stripeApiSettings: Config.Config<StripeApiSettings> = Config.all({
  secretKey: Config.option(Config.redacted("PROVISIO_STRIPE_SECRET_KEY")),
  apiBase: Config.option(Config.url("PROVISIO_STRIPE_API_BASE"))
})

export const stripeWebhookSecret: Config.Config<Option.Option<Redacted.Redacted<string>>> = Config.option(
  Config.redacted("PROVISIO_STRIPE_WEBHOOK_SECRET")
)
