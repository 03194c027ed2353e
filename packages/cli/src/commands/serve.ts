import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"

const port = Options.integer("port").pipe(
  Options.withDescription("The port to listen on (default: PORT, else 8080)"),
  Options.optional
)

const noWorkers = Options.boolean("no-workers").pipe(
  Options.withDescription("Serve the API only: leave the scheduler (renewals, expiries) and the delivery workers to `provisio worker` processes")
)

export const serve = Command.make("serve", { port, noWorkers }, lazily(() => import("../server/serve.js"), (m) => m.serve))
  .pipe(Command.withDescription("Run the HTTP API (on the embedded database unless DATABASE_URL is set)"))
