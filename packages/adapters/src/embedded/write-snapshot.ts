import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { writeSnapshot } from "./snapshot.js"

/**
 * The build's last step (`npm run build`): the migrated snapshot a fresh embedded data folder
 * starts from, written beside the built `pglite.js` as `migrated.tar`.
 */
const target = fileURLToPath(new URL("./migrated.tar", import.meta.url))
await Effect.runPromise(writeSnapshot(target))
console.log(`wrote ${target}`)
