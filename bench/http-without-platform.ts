/**
 * An experiment, not a path Provisio serves (docs/performance.md "Fourth step"): how much of the
 * authenticated GET's cost is @effect/platform's HttpApiBuilder pipeline. In one run, on a scratch
 * PostgreSQL database seeded as bench/http.ts seeds it:
 *
 * - the raw baseline (http-raw.ts: node:http + pg, one PK SELECT);
 * - this process: plain node:http answering GET /api/v1/subscriptions/{id} through the same
 *   services the API uses (Auth.authenticate with the principal cache, the leased rate limiter,
 *   Subscriptions.getSubscription, the Subscription schema's encoding in the envelope), each
 *   request one ManagedRuntime.runPromise; no error handling, no log line, no middlewares;
 * - `provisio serve` (the build), the same request.
 *
 *   npm run build && npx tsx bench/http-without-platform.ts
 */
import { NodeContext } from "@effect/platform-node"
import { serverClient } from "@provisio/adapters/postgres/database"
import { LeasedRateLimiterLive } from "@provisio/adapters/postgres/request-guards"
import { ServicesLive } from "@provisio/adapters/services"
import { Auth } from "@provisio/core/auth/service"
import { parseRateLimit, RateLimiter } from "@provisio/core/shared/rate-limit"
import { Subscription } from "@provisio/core/subscriptions/model"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import { DateTime, Effect, Either, Layer, ManagedRuntime, Redacted, Schema } from "effect"
import { createServer } from "node:http"
import * as crypto from "node:crypto"
import { ADMIN_KEY, freePort, importCatalog, load, seed, startProvisio, startRaw } from "../bench/fixtures/http-servers"
import pg from "pg"

/* eslint-disable @typescript-eslint/no-explicit-any */

const base = "postgres://postgres@127.0.0.1:5432"
const name = `provisio_fast_${crypto.randomBytes(3).toString("hex")}`
const admin = new pg.Client({ connectionString: `${base}/postgres` })
await admin.connect()
await admin.query(`create database ${name}`)
const url = `${base}/${name}`
const env = { DATABASE_URL: url, PROVISIO_BOOTSTRAP_KEY: ADMIN_KEY, PROVISIO_RATE_LIMIT_ADMIN: "100000000/minute" }
await importCatalog(env)
const provisio = await startProvisio(env, `/tmp/${name}.log`)
const { partnerKey, subscriptionId } = await seed(provisio.origin, 5)
const appPort = provisio.origin

const layer = ServicesLive.pipe(Layer.provideMerge(LeasedRateLimiterLive), Layer.provideMerge(serverClient(Redacted.make(url), { poolSize: 10, prepare: true })), Layer.provideMerge(NodeContext.layer)) as any
const runtime = ManagedRuntime.make(layer)
const limit = Either.getOrThrow(parseRateLimit("100000000/minute"))!
const encode = Schema.encodeSync(Subscription)
const program = (key: string, id: string) =>
  Effect.gen(function* () {
    const principal = yield* (yield* Auth).authenticate(key)
    const at = yield* DateTime.now
    yield* (yield* RateLimiter).take(`key:${principal.api_key_id}`, limit, at)
    const subscription = yield* (yield* Subscriptions).getSubscription(principal, id)
    return `{"success":true,"data":${JSON.stringify(encode(subscription))},"meta":{"request_id":"req_x","api_version":"v1"}}`
  })
const port = await freePort()
const PATH = /^\/api\/v1\/subscriptions\/([A-Za-z0-9_]+)$/
createServer((req, res) => {
  const m = PATH.exec(req.url ?? "")
  const key = req.headers.authorization?.slice(7) ?? ""
  runtime.runPromise(program(key, m![1]!) as any).then((body: any) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  }, (e) => { res.writeHead(500); res.end(String(e)) })
}).listen(port, "127.0.0.1")

const raw = await startRaw(url)
const self = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const job = (origin: string, path: string, headers: Record<string, string>) => ({ origin, method: "GET" as const, path, headers, expect: 200, connections: 64, warmupMs: 2000, measureMs: 8000 })
for (let round = 0; round < 2; round++) {
  const r0 = raw.cpuMs()!; const rr = await load(job(raw.origin, `/pk/${subscriptionId}`, {})); const r1 = raw.cpuMs()!
  const f0 = self(); const fr = await load(job(`http://127.0.0.1:${port}`, `/api/v1/subscriptions/${subscriptionId}`, { authorization: `Bearer ${partnerKey}` })); const f1 = self()
  const a0 = provisio.cpuMs()!; const ar = await load(job(appPort, `/api/v1/subscriptions/${subscriptionId}`, { authorization: `Bearer ${partnerKey}` })); const a1 = provisio.cpuMs()!
  if (rr.p99 === null || fr.p99 === null || ar.p99 === null) console.log(JSON.stringify({ rr, fr, ar }).slice(0, 1500))
  console.log(`round ${round + 1}: raw ${Math.round(rr.perSecond)} req/s p99 ${rr.p99?.toFixed(1)} cpu ${Math.round((r1 - r0) * 1000 / rr.completed)} us`)
  console.log(`  fast path ${Math.round(fr.perSecond)} req/s (${Math.round(100 * fr.perSecond / rr.perSecond)}%) p99 ${fr.p99?.toFixed(1)} cpu ${Math.round((f1 - f0) * 1000 / fr.completed)} us`)
  console.log(`  app       ${Math.round(ar.perSecond)} req/s (${Math.round(100 * ar.perSecond / rr.perSecond)}%) p99 ${ar.p99?.toFixed(1)} cpu ${Math.round((a1 - a0) * 1000 / ar.completed)} us`)
}
await provisio.stop(); await raw.stop()
await runtime.dispose()
await admin.query(`drop database ${name} with (force)`)
await admin.end()
process.exit(0)
