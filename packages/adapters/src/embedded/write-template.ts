import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import { writeMigratedDataDir } from "./snapshot.js"

/**
 * The build's last step (`npm run build`): the migrated data folder a fresh embedded database
 * starts from, written beside the built `pglite.js` as `migrated-pgdata/`.
 */
const target = fileURLToPath(new URL("./migrated-pgdata", import.meta.url))
await Effect.runPromise(writeMigratedDataDir(target))
console.log(`wrote ${target}`)
