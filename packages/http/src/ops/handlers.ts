import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as SqlClient from "@effect/sql/SqlClient"
import { PersistenceError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"

export const OpsHandlers = HttpApiBuilder.group(ProvisioApi, "ops", (handlers) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        sql`select 1`.pipe(
          Effect.as({ status: "ok" as const }),
          Effect.timeoutFail({
            duration: "2 seconds",
            onTimeout: () => new PersistenceError({ message: "the database did not answer in time" })
          }),
          Effect.catchTag("SqlError", () => new PersistenceError({ message: "the database is not reachable" }))
        ))
  }))
