import { HttpApi, OpenApi } from "@effect/platform"
import { CustomersApi } from "./customers/api"
import {
  BadRequestError,
  DefectError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  UnauthorizedError,
  ValidationErrorError
} from "./errors"
import { IdentityApi } from "./identity/api"
import { OpsApi } from "./ops/api"
import { withoutBuiltInDecodeError } from "./openapi"

/** The whole contract: the server implements it, clients (the CLI, examples) are derived from it. */
export class ProvisioApi extends HttpApi.make("provisio")
  .add(OpsApi)
  .add(IdentityApi)
  .add(CustomersApi)
  .addError(BadRequestError)
  .addError(UnauthorizedError)
  .addError(ForbiddenError)
  .addError(NotFoundError)
  .addError(ValidationErrorError)
  .addError(InternalError)
  .addError(DefectError)
  .annotate(OpenApi.Transform, withoutBuiltInDecodeError)
  .annotate(OpenApi.Title, "Provisio API")
  .annotate(OpenApi.Version, "1.0.0")
  .annotate(
    OpenApi.Description,
    "Subscriptions, provisioning and billing for channel sellers. Every answer is an envelope " +
      "`{ success, data | error, meta: { request_id, api_version } }`; lists add `meta.page`."
  )
{}
