import { HttpApi, OpenApi } from "@effect/platform"
import { AuthApi } from "./auth/api"
import { CatalogApi } from "./catalog/api"
import { CustomersApi } from "./customers/api"
import {
  AccountSuspendedError,
  BadRequestError,
  DefectError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  UnauthorizedError,
  ValidationErrorError
} from "./errors"
import { EventsApi } from "./events/api"
import { DeliveriesApi } from "./deliveries/api"
import { FederatedApi } from "./federated/api"
import { IdentityApi } from "./identity/api"
import { NumbersApi } from "./numbers/api"
import { OpsApi } from "./ops/api"
import { OrderingApi } from "./ordering/api"
import { ProvisioningApi } from "./provisioning/api"
import { WebhooksApi } from "./webhooks/api"
import { SubscriptionsApi } from "./subscriptions/api"
import { ActivationsApi } from "./activations/api"
import { SupportApi } from "./support/api"
import { InvoicesApi } from "./invoices/api"
import { UsageApi } from "./usage/api"
import { PaymentsApi } from "./payments/api"
import { CommissionsApi } from "./commissions/api"
import { BillingApi } from "./billing/api"
import { InventoryApi } from "./inventory/api"
import { NumberOrdersApi } from "./number-orders/api"
import { withoutBuiltInDecodeError } from "./openapi"
import { RateLimitedError } from "./errors"
import { documentRequestGuards } from "./openapi-request-guards"
import { UsersApi } from "./users/api"
import { SettingsApi } from "./settings/api"

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
  .add(UsageApi)
  .add(PaymentsApi)
  .add(CommissionsApi)
  .add(BillingApi)
  .add(InventoryApi)
  .add(NumberOrdersApi)
  .add(EventsApi)
  .add(ProvisioningApi)
  .add(WebhooksApi)
  .add(DeliveriesApi)
  .addError(BadRequestError)
  .addError(UnauthorizedError)
  .addError(ForbiddenError)
  .addError(AccountSuspendedError)
  .addError(NotFoundError)
  .addError(ValidationErrorError)
  .addError(InternalError)
  .addError(DefectError)
  .addError(RateLimitedError)
  .annotate(OpenApi.Transform, (spec) => documentRequestGuards(withoutBuiltInDecodeError(spec)))
  .annotate(OpenApi.Title, "Provisio API")
  .annotate(OpenApi.Version, "1.0.0")
  .annotate(
    OpenApi.Description,
    "Subscriptions, provisioning and billing for channel sellers. Every answer is an envelope " +
      "`{ success, data | error, meta: { request_id, api_version } }`; lists add `meta.page`."
  )
{}
