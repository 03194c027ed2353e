import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { AuthApi } from "./auth/api.js"
import { CatalogApi } from "./catalog/api.js"
import { CustomersApi } from "./customers/api.js"
import {
  AccountSuspendedError,
  BadRequestError,
  DefectError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  UnauthorizedError,
  ValidationErrorError
} from "./errors.js"
import { EventsApi } from "./events/api.js"
import { DeliveriesApi } from "./deliveries/api.js"
import { FederatedApi } from "./federated/api.js"
import { IdentityApi } from "./identity/api.js"
import { NumbersApi } from "./numbers/api.js"
import { OpsApi } from "./ops/api.js"
import { OrderingApi } from "./ordering/api.js"
import { ProvisioningApi } from "./provisioning/api.js"
import { WebhooksApi } from "./webhooks/api.js"
import { SubscriptionsApi } from "./subscriptions/api.js"
import { ActivationsApi } from "./activations/api.js"
import { SupportApi } from "./support/api.js"
import { InvoicesApi } from "./invoices/api.js"
import { DocumentsApi } from "./documents/api.js"
import { UsageApi } from "./usage/api.js"
import { PaymentsApi } from "./payments/api.js"
import { ReconciliationApi } from "./reconciliation/api.js"
import { CommissionsApi } from "./commissions/api.js"
import { TaxApi } from "./tax/api.js"
import { PricingApi } from "./pricing/api.js"
import { ChannelApi } from "./channel/api.js"
import { CreditNotesApi } from "./credit-notes/api.js"
import { BillingApi } from "./billing/api.js"
import { InventoryApi } from "./inventory/api.js"
import { NumberOrdersApi } from "./number-orders/api.js"
import { RateLimitedError } from "./errors.js"
import { finishDocument } from "./openapi/document.js"
import { UsersApi } from "./users/api.js"
import { SettingsApi } from "./settings/api.js"
import { CollectionApi } from "./collection/api.js"
import { GatewaysApi } from "./gateways/api.js"
import { ExportsApi } from "./exports/api.js"

/** The whole contract: the server implements it, clients (the CLI, examples) are derived from it. */
export class ProvisioApi extends HttpApi.make("provisio")
  .add(OpsApi)
  .add(IdentityApi)
  .add(CustomersApi)
  .add(CatalogApi)
  .add(NumbersApi)
  .add(UsersApi)
  .add(AuthApi)
  .add(SettingsApi)
  .add(FederatedApi)
  .add(OrderingApi)
  .add(SubscriptionsApi)
  .add(ActivationsApi)
  .add(SupportApi)
  .add(InvoicesApi)
  .add(DocumentsApi)
  .add(UsageApi)
  .add(PaymentsApi)
  .add(ReconciliationApi)
  .add(CommissionsApi)
  .add(TaxApi)
  .add(PricingApi)
  .add(ChannelApi)
  .add(CreditNotesApi)
  .add(BillingApi)
  .add(InventoryApi)
  .add(NumberOrdersApi)
  .add(EventsApi)
  .add(ProvisioningApi)
  .add(WebhooksApi)
  .add(DeliveriesApi)
  .add(CollectionApi)
  .add(GatewaysApi)
  .add(ExportsApi)
  .addError(BadRequestError)
  .addError(UnauthorizedError)
  .addError(ForbiddenError)
  .addError(AccountSuspendedError)
  .addError(NotFoundError)
  .addError(ValidationErrorError)
  .addError(InternalError)
  .addError(DefectError)
  .addError(RateLimitedError)
  .annotate(OpenApi.Transform, finishDocument)
  .annotate(OpenApi.Title, "Provisio API")
  .annotate(OpenApi.Version, "1.0.0")
  .annotate(
    OpenApi.Description,
    "Subscriptions, provisioning and billing for channel sellers. Every answer is an envelope " +
      "`{ success, data | error, meta: { request_id, api_version } }`; lists add `meta.page`."
  )
{}
