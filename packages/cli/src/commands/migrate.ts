import * as Command from "@effect/cli/Command"
import { lazily } from "../lazy.js"

export const migrate = Command.make("migrate", {}, lazily(() => import("../database/migrate.js"), (m) => m.migrate))
  .pipe(Command.withDescription("Apply the database migrations not yet applied"))
