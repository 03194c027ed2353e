import * as Layer from "effect/Layer"
import { PlaceRepoLive, PlanRepoLive, ProductRepoLive, SkuRepoLive } from "./catalog.js"
import { ContactRepoLive, CustomerRepoLive, LocationRepoLive, PaymentMethodRepoLive } from "./customers.js"
import { LoginFailureRepoLive, RefreshTokenRepoLive } from "./auth.js"
import { FederatedIdentityRepoLive } from "./federation.js"
import { AccountRepoLive, ApiKeyRepoLive, Principals } from "./identity.js"
import { EventLogLive } from "./events.js"
import { DeliveryRepoLive } from "./deliveries.js"
import { ActivationRepoLive } from "./activations.js"
import { TicketRepoLive } from "./support.js"
import { UsageRepoLive } from "./usage.js"
import { InvoiceRepoLive } from "./invoices.js"
import { PaymentRepoLive } from "./payments.js"
import { CommissionRuleRepoLive } from "./commissions.js"
import { CommissionStatementRepoLive } from "./commission-statements.js"
import { ExportSourceLive } from "./exports/index.js"
import { TaxCalculatorLive } from "./tax/calculator.js"
import { TaxRateRepoLive } from "./tax/rates.js"
import { PriceListRepoLive } from "./pricing/lists.js"
import { PriceResolverLive } from "./pricing/resolver.js"
import { CreditNoteRepoLive } from "./credit-notes.js"
import { FrozenPartiesLive } from "./documents/parties.js"
import { BillingReposLive } from "./billing.js"
import { ChannelReposLive } from "./channel/index.js"
import { InventoryRepoLive } from "./inventory.js"
import { NumberOrderRepoLive } from "./number-orders.js"
import { OrderRepoLive } from "./ordering.js"
import { QuantityRequestRepoLive, SubscriptionRepoLive } from "./subscriptions.js"
import { NumberRepoLive, ReservationRepoLive } from "./numbers.js"
import { ProvisioningTargetRepoLive } from "./provisioning.js"
import { WebhookRepoLive } from "./webhooks.js"
import { SettingsRepoLive } from "./settings.js"
import { TransactorLive } from "./transactor.js"
import { UserRepoLive } from "./users.js"
import { DunningPolicyRepoLive } from "./collection/policies.js"
import { DunningRepoLive } from "./collection/dunning.js"
import { NotificationDirectoryLive } from "./notifications.js"
import { CollectorRepoLive } from "./collection/collector.js"
import { GatewayEventLogLive } from "./collection/webhook-events.js"
import { RefundRepoLive } from "./payments-refunds.js"

export { DatabaseConfig, DatabaseLive, describeDatabase, embeddedClient } from "./database.js"
export { migrate } from "./migrations/index.js"

/** Every repository and the transactor, on whichever `SqlClient` the edge provides. */
export const PostgresLive = Layer.mergeAll(
  AccountRepoLive,
  ApiKeyRepoLive,
  CustomerRepoLive,
  ContactRepoLive,
  PaymentMethodRepoLive,
  LocationRepoLive,
  UserRepoLive,
  RefreshTokenRepoLive,
  LoginFailureRepoLive,
  SettingsRepoLive,
  FederatedIdentityRepoLive,
  ProductRepoLive,
  PlaceRepoLive,
  SkuRepoLive,
  PlanRepoLive,
  NumberRepoLive,
  ReservationRepoLive,
  EventLogLive,
  OrderRepoLive,
  SubscriptionRepoLive,
  QuantityRequestRepoLive,
  ProvisioningTargetRepoLive,
  WebhookRepoLive,
  DeliveryRepoLive,
  ActivationRepoLive,
  TicketRepoLive,
  UsageRepoLive,
  InvoiceRepoLive,
  PaymentRepoLive,
  CommissionRuleRepoLive,
  CommissionStatementRepoLive,
  ExportSourceLive,
  TaxRateRepoLive,
  PriceListRepoLive,
  PriceResolverLive,
  TaxCalculatorLive,
  CreditNoteRepoLive,
  FrozenPartiesLive,
  BillingReposLive,
  ChannelReposLive,
  InventoryRepoLive,
  NumberOrderRepoLive,
  DunningPolicyRepoLive,
  DunningRepoLive,
  NotificationDirectoryLive,
  CollectorRepoLive,
  GatewayEventLogLive,
  RefundRepoLive,
  TransactorLive
).pipe(
  // One process's memory of API keys' principals, shared by the repositories that change them.
  Layer.provide(Principals.layer)
)
