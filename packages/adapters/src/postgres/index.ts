import { Layer } from "effect"
import { PlaceRepoLive, PlanRepoLive, ProductRepoLive, SkuRepoLive } from "./catalog"
import { ContactRepoLive, CustomerRepoLive, LocationRepoLive, PaymentMethodRepoLive } from "./customers"
import { LoginFailureRepoLive, RefreshTokenRepoLive } from "./auth"
import { FederatedIdentityRepoLive } from "./federation"
import { AccountRepoLive, ApiKeyRepoLive } from "./identity"
import { EventLogLive } from "./events"
import { DeliveryRepoLive } from "./deliveries"
import { ActivationRepoLive } from "./activations"
import { TicketRepoLive } from "./support"
import { UsageRepoLive } from "./usage"
import { InvoiceRepoLive } from "./invoices"
import { PaymentRepoLive } from "./payments"
import { CommissionRuleRepoLive } from "./commissions"
import { BillingRepoLive } from "./billing"
import { InventoryRepoLive } from "./inventory"
import { NumberOrderRepoLive } from "./number-orders"
import { OrderRepoLive } from "./ordering"
import { QuantityRequestRepoLive, SubscriptionRepoLive } from "./subscriptions"
import { NumberRepoLive, ReservationRepoLive } from "./numbers"
import { ProvisioningTargetRepoLive } from "./provisioning"
import { WebhookRepoLive } from "./webhooks"
import { SettingsRepoLive } from "./settings"
import { TransactorLive } from "./transactor"
import { UserRepoLive } from "./users"

export { DatabaseConfig, DatabaseLive, describeDatabase, embeddedClient } from "./database"
export { migrate } from "./migrations"

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
  BillingRepoLive,
  InventoryRepoLive,
  NumberOrderRepoLive,
  TransactorLive
)
