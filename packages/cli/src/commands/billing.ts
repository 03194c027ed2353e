import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { CHUNK_SIZE } from "@provisio/core/billing/config"
import { lazily } from "../lazy.js"

const period = Options.text("period").pipe(Options.withDescription("The month to bill, YYYY-MM (e.g. 2026-11)"))
const gracePeriod = Options.text("grace-period").pipe(
  Options.withDescription("How long the drafts wait for late usage, e.g. \"2 hours\" (default PROVISIO_BILLING_GRACE_PERIOD, else 0)"),
  Options.optional
)
const chunkSize = Options.integer("chunk-size").pipe(
  Options.withDescription(`Customers per transaction (default ${CHUNK_SIZE})`),
  Options.optional
)

const run = Command.make("run", { period, gracePeriod, chunkSize }, lazily(() => import("../billing/run.js"), (m) => m.runBillingCommand)).pipe(
  Command.withDescription(
    "Bill a month now, as the platform operator: every subscription period ending in it, with usage and one-off " +
      "purchases, into one invoice per customer and currency. Safe to run again or after a crash: every period " +
      "is billed exactly once"
  )
)

export const billing = Command.make("billing").pipe(
  Command.withDescription("Billing runs"),
  Command.withSubcommands([run])
)
