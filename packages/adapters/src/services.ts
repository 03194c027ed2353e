import { Auth } from "@provisio/core/auth/service"
import { Catalog } from "@provisio/core/catalog/service"
import { Customers } from "@provisio/core/customers/service"
import { Events } from "@provisio/core/events/service"
import { Deliveries } from "@provisio/core/deliveries/service"
import { Ordering } from "@provisio/core/ordering/service"
import { Activations } from "@provisio/core/activations/service"
import { Support } from "@provisio/core/support/service"
import { UsageService } from "@provisio/core/usage/service"
import { Invoices } from "@provisio/core/invoices/service"
import { Documents } from "@provisio/core/documents/service"
import { withDocumentAttachments } from "@provisio/core/documents/attachments"
import { TaxRates } from "@provisio/core/tax/service"
import { PriceLists } from "@provisio/core/pricing/service"
import { CreditNotes } from "@provisio/core/credit-notes/service"
import { Payments } from "@provisio/core/payments/service"
import { Reconciliation } from "@provisio/core/reconciliation/service"
import { Commissions } from "@provisio/core/commissions/service"
import { CommissionStatements } from "@provisio/core/commissions/statements"
import { Exports } from "@provisio/core/exports/service"
import { Billing } from "@provisio/core/billing/service"
import { Channel } from "@provisio/core/channel/service"
import { Inventory } from "@provisio/core/inventory/service"
import { NumberOrders } from "@provisio/core/number-orders/service"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import { Federation } from "@provisio/core/federation/service"
import { Identity } from "@provisio/core/identity/service"
import { Numbers } from "@provisio/core/numbers/service"
import { Provisioning } from "@provisio/core/provisioning/service"
import { Webhooks } from "@provisio/core/webhooks/service"
import { SettingsService } from "@provisio/core/settings/service"
import { Users } from "@provisio/core/users/service"
import { DunningPolicies } from "@provisio/core/collection/policies"
import { Dunning } from "@provisio/core/collection/dunning"
import * as Layer from "effect/Layer"
import { AccessTokensLive } from "./crypto/access-tokens.js"
import { PasswordHasherLive } from "./crypto/passwords.js"
import { SecretsLive } from "./crypto/secrets.js"
import { IdTokenVerifierLive } from "./oidc/verifier.js"
import { PostgresLive } from "./postgres/index.js"
import { RequestGuardsLive } from "./postgres/request-guards.js"
import { SigningSecretsLive } from "./push/secrets.js"
import { DeliverySignerLive } from "./push/delivery-signer.js"
import { DeliveryLimitsLive, DeliverySignalsLive } from "./postgres/work-signals.js"
import { PushSenderUndici } from "./push/sender.js"
import { MailSenderLive } from "./email/smtp.js"
import { DocumentRendererLive } from "./documents/renderer.js"
import { PaymentGatewaysLive } from "./payments/routing.js"
import { StripeWebhookReaderLive } from "./payments/stripe-webhooks.js"
import { ReconciliationRepoLive } from "./postgres/reconciliation/index.js"
import { XmlReaderLive } from "./reconciliation/xml-reader.js"
import { Collector } from "@provisio/core/collection/collector"
import { GatewayWebhooks } from "@provisio/core/collection/gateways-webhooks"
import { Refunds } from "@provisio/core/payments/refunds"

/**
 * The adapters a deployment may replace with its own, without touching the packages: the
 * outbound transport of provisioning calls and webhooks (`PushSender`), and the payment gateway
 * (`PaymentGatewaysLive`: `manual`, and `stripe` on `PROVISIO_STRIPE_SECRET_KEY`; payments/routing.ts).
 */
export const ReplaceableAdaptersLive = Layer.mergeAll(PushSenderUndici, PaymentGatewaysLive, MailSenderLive)

/** Documents rendered by pdfkit and the XML builder: one layer value, so it is built once. */
const DocumentsLive = Documents.layer.pipe(Layer.provide(DocumentRendererLive))

/**
 * The core's use cases on the Postgres adapters, given a `SqlClient` and the replaceable
 * adapters (`PushSender`, `PaymentGateway`): what a host builds when it brings its own, e.g.
 * `ServicesWith.pipe(Layer.provide(Layer.merge(MyPushSender, PaymentGatewaysLive)))`
 * (`ManualPaymentGatewayLive` in payments/manual.ts for the manual gateway alone).
 */
export const ServicesWith = Layer.mergeAll(
  SettingsService.layer,
  DunningPolicies.layer,
  Dunning.layer,
  // Federated sign-in ends in Auth's token issuance: the same Auth.layer, so it is built once.
  Federation.layer.pipe(Layer.provide(Auth.layer)),
  Identity.layer, Customers.layer, Catalog.layer, Numbers.layer, Users.layer, Auth.layer, RequestGuardsLive,
  Events.layer, Ordering.layer, Subscriptions.layer, Activations.layer, Support.layer, Inventory.layer, NumberOrders.layer, Provisioning.layer, Webhooks.layer,
  Commissions.layer,
  CommissionStatements.layer,
  Channel.layer,
  Exports.layer,
  TaxRates.layer,
  PriceLists.layer,
  CreditNotes.layer,
  UsageService.layer,
  Invoices.layer,
  DocumentsLive,
  Billing.layer.pipe(Layer.provide(Invoices.layer)),
  Payments.layer,
  Reconciliation.layer.pipe(Layer.provide(Layer.merge(ReconciliationRepoLive, XmlReaderLive))),
  Refunds.layer,
  Collector.layer,
  // Stripe's webhooks are read where its signing secret is: PROVISIO_STRIPE_WEBHOOK_SECRET.
  GatewayWebhooks.layer.pipe(Layer.provide(StripeWebhookReaderLive)),
  Deliveries.layer.pipe(
    Layer.provide(Subscriptions.layer),
    Layer.provide(DeliverySignerLive),
    Layer.provide(DeliverySignalsLive),
    Layer.provide(DeliveryLimitsLive),
    // Emails that name documents (the invoice email) get them rendered when sent.
    Layer.provide(withDocumentAttachments.pipe(Layer.provide(DocumentsLive)))
  )).pipe(
  Layer.provide(Layer.mergeAll(PostgresLive, SecretsLive, PasswordHasherLive, AccessTokensLive, IdTokenVerifierLive, SigningSecretsLive))
)

/**
 * The core's use cases on the Postgres adapters and the default replaceable ones: what the
 * server, the CLI and the tests run. Needs only a `SqlClient` (a server's, or the embedded database's).
 */
export const ServicesLive = ServicesWith.pipe(Layer.provide(ReplaceableAdaptersLive))
