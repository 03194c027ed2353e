import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { EffectiveBranding, Settings, UpdateSettings } from "@provisio/core/settings/model"
import { Envelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"

export class SettingsApi extends HttpApiGroup.make("settings")
  .add(
    HttpApiEndpoint.get("getSettings", "/settings")
      .addSuccess(Envelope(Settings))
      .annotate(OpenApi.Summary, "The caller's account settings")
      .annotate(
        OpenApi.Description,
        "Branding, licensing and identity providers of the caller's account (or of the `X-Tenant-ID` " +
          "target). An account that never wrote them has the defaults, with null timestamps."
      )
  )
  .add(
    HttpApiEndpoint.put("updateSettings", "/settings")
      .setPayload(UpdateSettings)
      .addSuccess(Envelope(Settings))
      .annotate(OpenApi.Summary, "Replace sections of the caller's account settings")
      .annotate(
        OpenApi.Description,
        "Admins only. Each section sent (`branding`, `licensing`, `identity_providers`) replaces the " +
          "stored one whole; the others stay. Identity providers: `entra` with `tenant_id` and `google` " +
          "fill in `issuer` and `jwks_uri`; `oidc` names `issuer` and `jwks_uri` or an inline `jwks`. " +
          "Provider ids are unique across the platform."
      )
  )
  .add(
    HttpApiEndpoint.get("getBranding", "/branding")
      .addSuccess(Envelope(EffectiveBranding))
      .annotate(OpenApi.Summary, "The branding the caller shows")
      .annotate(
        OpenApi.Description,
        "The caller's own branding if it set any, else the nearest account above it that did (a " +
          "customer's portal wears its partner's branding, or its distributor's), with the account " +
          "it came from; `account_id` null when none is set. Every caller may read it."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Settings")
  .annotate(OpenApi.Description, "Per-account branding, licensing and federated sign-in configuration.")
{}
