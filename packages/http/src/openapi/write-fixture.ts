import * as OpenApi from "@effect/platform/OpenApi"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { ProvisioApi } from "../api.js"

/**
 * `npm run openapi`: writes the document the server serves at `/openapi.json` to
 * `packages/http/openapi.json`, the committed fixture that a test holds the contract to and the
 * typed client is generated from.
 */
export const FIXTURE = fileURLToPath(new URL("../../openapi.json", import.meta.url))

export const documentText = () => `${JSON.stringify(OpenApi.fromApi(ProvisioApi), null, 2)}\n`

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  fs.writeFileSync(FIXTURE, documentText())
  console.log(`wrote ${FIXTURE}`)
}
