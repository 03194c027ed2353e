import { DatabaseLive, migrate } from "@provisio/adapters/postgres/index"
import { ServicesLive } from "@provisio/adapters/services"
import { CoreConfigLive } from "@provisio/http/config"
import * as Layer from "effect/Layer"

/** The database the command works on, migrated before anything else touches it. */
export const MigratedDatabaseLive = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(DatabaseLive))

/** The core's services on the migrated database. */
export const AppLive = ServicesLive.pipe(Layer.provide(CoreConfigLive), Layer.provideMerge(MigratedDatabaseLive))

