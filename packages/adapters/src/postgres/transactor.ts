import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import type { PersistenceError } from "@provisio/core/shared/errors"
import { Transactor } from "@provisio/core/shared/transactor"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { orPersistenceError } from "./persistence.js"

export const TransactorLive = Layer.effect(
  Transactor,
  Effect.map(SqlClient.SqlClient, (sql) =>
    Transactor.of({
      withTransaction: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        sql.withTransaction(effect).pipe(
          Effect.catchIf(
            (error): error is SqlError => error instanceof SqlError,
            (error) => orPersistenceError(Effect.fail(error))
          )
        ) as Effect.Effect<A, E | PersistenceError, R>
    })
  )
)
