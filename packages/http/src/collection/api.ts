import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { DunningPolicy, UpdateDunningPolicy } from "@provisio/core/collection/model"
import { Envelope } from "../envelope.js"
import { EditionForbiddenError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"

export class CollectionApi extends HttpApiGroup.make("collection")
  .add(
    HttpApiEndpoint.get("getDunningPolicy", "/dunning-policy")
      .addSuccess(Envelope(DunningPolicy))
      .annotate(OpenApi.Summary, "The dunning policy in force for the caller's account")
      .annotate(
        OpenApi.Description,
        "The account's own policy, else the nearest one above it (a distributor's applies to its " +
          "partners), else the platform's default: retries of a failed automatic charge 1, 3, 5 and 7 days " +
          "after the first failure; a reminder 1 day past due, a warning at 7, suspension at 14, no " +
          "termination. `source` and `source_account_id` say where it comes from."
      )
  )
  .add(
    HttpApiEndpoint.put("updateDunningPolicy", "/dunning-policy")
      .setPayload(UpdateDunningPolicy)
      .addSuccess(Envelope(DunningPolicy))
      .addError(EditionForbiddenError)
      .annotate(OpenApi.Summary, "Set the caller's account's own dunning policy")
      .annotate(
        OpenApi.Description,
        "Admins of a platform, distributor or standard-edition partner (a free-edition partner keeps " +
          "the policy it inherits: 403). `retry_days` rise; `stages` escalate in the order reminder, " +
          "warning, suspend, terminate, each at least as many days past due as the one before. A stage " +
          "at day 0 fires at the scheduler's next tick after the invoice's `due_at`. The policy applies " +
          "to the account's customers and to the accounts below it that have none of their own. A field " +
          "left out keeps what is in force (the account's own policy, else the inherited one)."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Collection")
  .annotate(OpenApi.Description, "Dunning: what happens when invoices go unpaid.")
{}
