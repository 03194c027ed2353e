import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  AccountId,
  ApiKey,
  ApiKeyCreated,
  ApiKeyId,
  CreateApiKey,
  CreateDistributor,
  CreatePartner,
  Distributor,
  Me,
  Partner,
  UpdateDistributor,
  UpdatePartner
} from "@provisio/core/identity/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery, SearchPageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

const AccountPath = Schema.Struct({ id: PathParam(AccountId) })
const ApiKeyPath = Schema.Struct({ id: PathParam(ApiKeyId) })

export class IdentityApi extends HttpApiGroup.make("identity")
  .add(
    HttpApiEndpoint.get("me", "/me")
      .addSuccess(Envelope(Me))
      .annotate(OpenApi.Summary, "Who the caller is")
      .annotate(
        OpenApi.Description,
        "The account the request acts for (the caller's own, or its `X-Tenant-ID` descendant), its kind, the role, " +
          "and the API key or user that authenticated it."
      )
  )
  .add(
    HttpApiEndpoint.get("listDistributors", "/distributors")
      .setUrlParams(SearchPageQuery)
      .addSuccess(PageEnvelope(Distributor))
  )
  .add(
    HttpApiEndpoint.post("createDistributor", "/distributors")
      .setPayload(CreateDistributor)
      .addSuccess(Envelope(Distributor), { status: 201 })
      .annotate(OpenApi.Description, "Platform admins only.")
  )
  .add(HttpApiEndpoint.get("getDistributor", "/distributors/:id").setPath(AccountPath).addSuccess(Envelope(Distributor)))
  .add(
    HttpApiEndpoint.put("updateDistributor", "/distributors/:id")
      .setPath(AccountPath)
      .setPayload(UpdateDistributor)
      .addSuccess(Envelope(Distributor))
  )
  .add(
    HttpApiEndpoint.del("deleteDistributor", "/distributors/:id")
      .setPath(AccountPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
  )
  .add(HttpApiEndpoint.get("listPartners", "/partners").setUrlParams(SearchPageQuery).addSuccess(PageEnvelope(Partner)))
  .add(
    HttpApiEndpoint.post("createPartner", "/partners")
      .setPayload(CreatePartner)
      .addSuccess(Envelope(Partner), { status: 201 })
      .annotate(OpenApi.Description, "A platform admin names `distributor_id`; a distributor creates under itself.")
  )
  .add(HttpApiEndpoint.get("getPartner", "/partners/:id").setPath(AccountPath).addSuccess(Envelope(Partner)))
  .add(
    HttpApiEndpoint.put("updatePartner", "/partners/:id")
      .setPath(AccountPath)
      .setPayload(UpdatePartner)
      .addSuccess(Envelope(Partner))
  )
  .add(
    HttpApiEndpoint.del("deletePartner", "/partners/:id")
      .setPath(AccountPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
  )
  .add(HttpApiEndpoint.get("listApiKeys", "/api-keys").setUrlParams(PageQuery).addSuccess(PageEnvelope(ApiKey)))
  .add(
    HttpApiEndpoint.post("createApiKey", "/api-keys")
      .setPayload(CreateApiKey)
      .addSuccess(Envelope(ApiKeyCreated), { status: 201 })
      .annotate(OpenApi.Description, "The `secret` is in this answer only; it is stored hashed.")
  )
  .add(HttpApiEndpoint.del("deleteApiKey", "/api-keys/:id").setPath(ApiKeyPath).addSuccess(HttpApiSchema.NoContent))
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Identity")
  .annotate(OpenApi.Description, "The channel hierarchy (platform > distributor > partner > customer) and API keys.")
{}
