import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { TokenPair } from "@provisio/core/auth/model"
import { FederatedSignIn } from "@provisio/core/federation/model"
import { Envelope } from "../envelope.js"

/** Sign-in with an ID token from a configured OpenID Connect provider; no authentication. */
export class FederatedApi extends HttpApiGroup.make("federated")
  .add(
    HttpApiEndpoint.post("federatedSignIn", "/auth/federated")
      .setPayload(FederatedSignIn)
      .addSuccess(Envelope(TokenPair))
      .annotate(OpenApi.Summary, "Exchange an OpenID Connect ID token for our tokens")
      .annotate(
        OpenApi.Description,
        "`provider` is the id of an enabled identity provider in some account's settings (Microsoft Entra, " +
          "Google or any OIDC issuer). The ID token must be signed (RS256 or ES256) by one of the provider's " +
          "keys, issued by its issuer for its audience, and current within its clock skew. Its holder is the " +
          "user linked to the token's subject, or else the user of the provider's account or below it with " +
          "the token's email when `email_verified` is true. Answers the same tokens as `POST /auth/login`; " +
          "any failure is `401`, and an unknown provider answers like a token it does not accept."
      )
  )
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Federated sign-in")
{}
