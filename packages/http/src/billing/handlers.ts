import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Billing } from "@provisio/core/billing/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"
import { upcomingPage } from "./upcoming-page.js"

export const BillingHandlers = HttpApiBuilder.group(ProvisioApi, "billing", (handlers) =>
  Effect.map(Billing, (billing) =>
    handlers
      .handle("startBillingRun", ({ payload }) =>
        asCaller((p) =>
          Effect.gen(function* () {
            const started = yield* billing.startRun(p, payload)
            // The run works on after the answer; its outcome is on the run (status, error).
            if (started.created) yield* Effect.forkDaemon(Effect.ignore(billing.executeRun(started.run.id)))
            return started.run
          })
        ))
      .handle("listBillingRuns", ({ urlParams }) => listAsCaller(urlParams, billing.listRuns))
      .handle("getBillingRun", ({ path }) => asCaller((p) => billing.getRun(p, path.runId)))
      .handle("finalizeInvoice", ({ path }) => asCaller((p) => billing.finalize(p, path.invoiceId)))
      .handle("getUpcomingInvoice", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => Effect.map(billing.preview(p, path.customerId), (all) => upcomingPage(all, page))))
  ))
