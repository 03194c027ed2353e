import { describe, expect, it, layer } from "@effect/vitest"
import { PushSenderUndici } from "@provisio/adapters/push/sender"
import { SigningSecretsLive } from "@provisio/adapters/push/secrets"
import { PROVISIO_VERSION, provisioningRequest, USER_AGENT } from "@provisio/adapters/push/signer"
import { type ReceivedCall, serveReceiver } from "@provisio/adapters/testing/receivers"
import type { ProductId } from "@provisio/core/catalog/model"
import type { StoredTarget } from "@provisio/core/provisioning/model"
import { PushSender, SigningSecrets } from "@provisio/core/provisioning/ports"
import { type PushRequest, PushTransportError } from "@provisio/core/provisioning/push"
import { classify } from "@provisio/core/provisioning/retry"
import { rotateKeys, singleKey, type SigningKeys } from "@provisio/core/provisioning/secrets"
import * as DateTime from "effect/DateTime"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { Webhook, WebhookVerificationError } from "standardwebhooks"

const target = (base_url: string, keys: SigningKeys, fields: Partial<StoredTarget> = {}): StoredTarget => ({
  product_id: "prd_test" as ProductId,
  base_url,
  endpoints: ["subscriptions", "networks"],
  timeout_ms: 2_000,
  keys,
  created_at: DateTime.unsafeMake(0),
  updated_at: DateTime.unsafeMake(0),
  ...fields
})

const subscription = { id: "sub_01jd0000000000000000000000", customer_id: "cus_1", status: "active", quantity: 3 }

/** A subscription CREATE for the target, signed at the clock's time. */
const createCall = (t: StoredTarget, event_id = "evt_01jd0000000000000000000001") =>
  Effect.map(
    provisioningRequest(t, {
      event_id,
      occurred_at: DateTime.unsafeMake("2026-11-23T10:00:00Z"),
      action: "CREATE",
      kind: "subscriptions",
      resource_id: subscription.id,
      resource: subscription
    }),
    Option.getOrThrow
  )

/** What `standardwebhooks` makes of the call: the parsed body, or the reason it refused it. */
const verify = (secret: string, body: string, headers: Readonly<Record<string, string>>) => {
  try {
    return { ok: true as const, payload: new Webhook(secret).verify(body, { ...headers }) }
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError)
    return { ok: false as const, reason: (error as Error).message }
  }
}

const generate = Effect.flatMap(SigningSecrets, (secrets) => secrets.generate).pipe(Effect.provide(SigningSecretsLive))

/** The test clock at the wall clock's time: `standardwebhooks` checks timestamps against `Date.now()`. */
const atWallClock = (offset: Duration.DurationInput = 0) => TestClock.setTime(Date.now() - Duration.toMillis(offset))

describe("push signatures, verified with the standardwebhooks package", () => {
  it.effect("a signed call verifies, and carries the headers API.md lists", () =>
    Effect.gen(function* () {
      // The instant the call is signed at, read once: Date.now() again could be a second later.
      const signedAt = yield* Effect.zipRight(atWallClock(), Clock.currentTimeMillis)
      const secret = yield* generate
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
      const call = yield* createCall(target("https://provider.example/provisio", singleKey(secret)))
      expect(call.method).toBe("POST")
      expect(call.url).toBe("https://provider.example/provisio/subscriptions")
      expect(call.headers).toMatchObject({
        "content-type": "application/json",
        "user-agent": `Provisio/${PROVISIO_VERSION}`,
        "webhook-id": "evt_01jd0000000000000000000001",
        "webhook-timestamp": String(Math.floor(signedAt / 1000))
      })
      expect(USER_AGENT).toBe(`Provisio/${JSON.parse(fs.readFileSync("packages/adapters/package.json", "utf8")).version}`)
      expect(call.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
      const verified = verify(secret, call.body, call.headers)
      expect(verified).toEqual({
        ok: true,
        payload: {
          event_id: "evt_01jd0000000000000000000001",
          action: "CREATE",
          occurred_at: "2026-11-23T10:00:00.000Z",
          subscription
        }
      })
    }))

  it.effect("a tampered body, a wrong secret and a changed id are refused", () =>
    Effect.gen(function* () {
      yield* atWallClock()
      const secret = yield* generate
      const call = yield* createCall(target("https://provider.example", singleKey(secret)))
      expect(verify(secret, call.body.replace("\"quantity\":3", "\"quantity\":30"), call.headers))
        .toEqual({ ok: false, reason: "No matching signature found" })
      expect(verify(secret, `${call.body} `, call.headers).ok).toBe(false)
      expect(verify(yield* generate, call.body, call.headers)).toEqual({ ok: false, reason: "No matching signature found" })
      expect(verify(secret, call.body, { ...call.headers, "webhook-id": "evt_other" }).ok).toBe(false)
    }))

  it.effect("a timestamp older than 5 minutes is refused; a 4-minute-old one passes", () =>
    Effect.gen(function* () {
      const secret = yield* generate
      yield* atWallClock("6 minutes")
      const stale = yield* createCall(target("https://provider.example", singleKey(secret)))
      expect(verify(secret, stale.body, stale.headers)).toEqual({ ok: false, reason: "Message timestamp too old" })
      yield* atWallClock("4 minutes")
      const recent = yield* createCall(target("https://provider.example", singleKey(secret)))
      expect(verify(secret, recent.body, recent.headers).ok).toBe(true)
    }))

  it.effect("during a rotation both the old and the new secret verify; after the overlap only the new one", () =>
    Effect.gen(function* () {
      yield* atWallClock()
      const [old, fresh, stranger] = [yield* generate, yield* generate, yield* generate]
      const rotating = rotateKeys(singleKey(old), fresh, DateTime.unsafeMake(Date.now()), Duration.hours(24))
      const call = yield* createCall(target("https://provider.example", rotating))
      const signatures = call.headers["webhook-signature"]!.split(" ")
      expect(signatures).toHaveLength(2)
      expect(signatures.every((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s))).toBe(true)
      expect(verify(old, call.body, call.headers).ok).toBe(true)
      expect(verify(fresh, call.body, call.headers).ok).toBe(true)
      expect(verify(stranger, call.body, call.headers).ok).toBe(false)

      // The same rotation, begun 25 hours ago: its overlap has ended.
      const ended = rotateKeys(singleKey(old), fresh, DateTime.unsafeMake(Date.now() - 25 * 3_600_000), Duration.hours(24))
      const later = yield* createCall(target("https://provider.example", ended))
      expect(later.headers["webhook-signature"]!.split(" ")).toHaveLength(1)
      expect(verify(fresh, later.body, later.headers).ok).toBe(true)
      expect(verify(old, later.body, later.headers).ok).toBe(false)
    }))

  it.effect("no call for an endpoint the target does not implement", () =>
    Effect.gen(function* () {
      const t = target("https://provider.example", singleKey(yield* generate), { endpoints: ["subscriptions"] })
      const none = yield* provisioningRequest(t, {
        event_id: "evt_1",
        occurred_at: DateTime.unsafeMake(0),
        action: "UPDATE",
        kind: "networks",
        resource_id: "net_1",
        resource: {}
      })
      expect(Option.isNone(none)).toBe(true)
    }))
})

/** Calls made by the sender on the real clock (time-outs are real), to receivers on the loopback. */
layer(PushSenderUndici, { excludeTestServices: true })("push sender against real loopback receivers", (it) => {
  const send = (request: PushRequest) => Effect.flatMap(PushSender, (sender) => Effect.either(sender.send(request)))

  /** A signed subscription UPDATE to the receiver, with the given time-out. */
  const updateCall = (url: string, secret: string, timeout_ms = 2_000) =>
    Effect.map(
      provisioningRequest(target(url, singleKey(secret), { timeout_ms }), {
        event_id: "evt_01jd0000000000000000000002",
        occurred_at: DateTime.unsafeMake("2026-11-23T10:00:00Z"),
        action: "UPDATE",
        kind: "subscriptions",
        resource_id: subscription.id,
        resource: subscription
      }),
      Option.getOrThrow
    )

  it.scoped("an acknowledgement (204): delivered, the call arrived signed as sent", () =>
    Effect.gen(function* () {
      const secret = yield* generate
      const receiver = yield* serveReceiver((_, response) => response.writeHead(204).end())
      const request = yield* updateCall(receiver.url, secret)
      const result = yield* send(request)
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      expect(result.right).toMatchObject({ status: 204, body_excerpt: "", retry_after: null, configuration: null })
      expect(result.right.latency_ms).toBeGreaterThanOrEqual(0)
      expect(classify(result.right)).toMatchObject({ _tag: "Delivered", configuration: null })

      const [call] = receiver.calls() as ReadonlyArray<ReceivedCall>
      expect(call).toMatchObject({ method: "PUT", path: `/subscriptions/${subscription.id}`, body: request.body })
      expect(call!.headers).toMatchObject({
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": "evt_01jd0000000000000000000002"
      })
      expect(call!.headers["traceparent"]).toBeUndefined()
      expect(verify(secret, call!.body, call!.headers as Record<string, string>).ok).toBe(true)
    }))

  it.scoped("a configuration (200 JSON): the configuration comes back", () =>
    Effect.gen(function* () {
      const configuration = { sip_server: "sip.provider.example", username: "acme", ports: [5060, 5061] }
      const receiver = yield* serveReceiver((_, response) =>
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "provisioned", configuration })))
      const result = yield* send(yield* updateCall(receiver.url, yield* generate))
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      expect(result.right.status).toBe(200)
      expect(result.right.configuration).toEqual(configuration)
      expect(JSON.parse(result.right.body_excerpt)).toEqual({ status: "provisioned", configuration })
      expect(classify(result.right)).toMatchObject({ _tag: "Delivered", configuration })
    }))

  it.scoped("503 with Retry-After: 7 is retried, honouring the 7 seconds", () =>
    Effect.gen(function* () {
      const receiver = yield* serveReceiver((_, response) =>
        response.writeHead(503, { "retry-after": "7", "content-type": "text/plain" }).end("maintenance"))
      const result = yield* send(yield* updateCall(receiver.url, yield* generate))
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      expect(result.right).toMatchObject({ status: 503, retry_after: 7, body_excerpt: "maintenance", configuration: null })
      expect(classify(result.right)).toMatchObject({ _tag: "Retry", retry_after: 7 })
    }))

  it.scoped("400 is dead at once; a 2xx-only configuration is not read from an error", () =>
    Effect.gen(function* () {
      const receiver = yield* serveReceiver((_, response) =>
        response.writeHead(400, { "content-type": "application/json" }).end("{\"error\":\"unknown plan\",\"configuration\":{}}"))
      const result = yield* send(yield* updateCall(receiver.url, yield* generate))
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      expect(result.right).toMatchObject({ status: 400, configuration: null })
      expect(classify(result.right)).toMatchObject({ _tag: "Dead", reason: "answered 400" })
    }))

  it.scoped("a receiver that hangs past the time-out is a timeout, retried", () =>
    Effect.gen(function* () {
      // Never answers: the response is left open until the receiver closes.
      const receiver = yield* serveReceiver(() => undefined)
      const result = yield* send(yield* updateCall(receiver.url, yield* generate, 300))
      expect(result._tag).toBe("Left")
      if (result._tag !== "Left") return
      expect(result.left).toBeInstanceOf(PushTransportError)
      expect(result.left).toMatchObject({ kind: "timeout", message: "no answer within 300 ms" })
      expect(result.left.latency_ms).toBeGreaterThanOrEqual(290)
      expect(result.left.latency_ms).toBeLessThan(2_000)
      expect(classify(result.left)._tag).toBe("Retry")
      expect(receiver.calls()).toHaveLength(1)
    }))

  it.scoped("a body that stalls after the head also times out", () =>
    Effect.gen(function* () {
      const receiver = yield* serveReceiver((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write("{\"configuration\":")
      })
      const result = yield* send(yield* updateCall(receiver.url, yield* generate, 300))
      expect(result).toMatchObject({ _tag: "Left", left: { kind: "timeout" } })
    }))

  it.scoped("a refused connection is a connection error, retried", () =>
    Effect.gen(function* () {
      // Port 1 (tcpmux) has no listener. A port freed by closing a receiver of our own could be
      // taken at once by another test file's server running beside this one.
      const result = yield* send(yield* updateCall("http://127.0.0.1:1", yield* generate))
      expect(result).toMatchObject({ _tag: "Left", left: { kind: "connection" } })
      if (result._tag === "Left") expect(classify(result.left)._tag).toBe("Retry")
    }))

  it.scoped("keeps the first KB of a long answer", () =>
    Effect.gen(function* () {
      const long = "é".repeat(3_000)
      const receiver = yield* serveReceiver((_, response) => response.writeHead(200).end(long))
      const result = yield* send(yield* updateCall(receiver.url, yield* generate))
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      expect(result.right.body_excerpt).toBe("é".repeat(512))
      expect(Buffer.byteLength(result.right.body_excerpt)).toBe(1024)
      expect(result.right.configuration).toBeNull()
    }))

  it.scoped("the receiver in docs/push.md verifies our calls, answers a configuration and refuses a wrong secret", () =>
    Effect.gen(function* () {
      const secret = yield* generate
      const receiver = yield* documentedReceiver(secret)
      const create = yield* send(Option.getOrThrow(yield* provisioningRequest(target(receiver, singleKey(secret)), {
        event_id: "evt_01jd0000000000000000000003",
        occurred_at: DateTime.unsafeMake("2026-11-23T10:00:00Z"),
        action: "CREATE",
        kind: "subscriptions",
        resource_id: subscription.id,
        resource: subscription
      })))
      expect(create).toMatchObject({
        _tag: "Right",
        right: { status: 200, configuration: { sip_server: "sip.example.net", account: subscription.id } }
      })
      const network = { event_id: "evt_01jd0000000000000000000004", occurred_at: DateTime.unsafeMake(0), action: "UPDATE" as const, kind: "networks" as const, resource_id: "net_1", resource: { id: "net_1" } }
      const update = yield* send(Option.getOrThrow(yield* provisioningRequest(target(receiver, singleKey(secret)), network)))
      expect(update).toMatchObject({ _tag: "Right", right: { status: 204, configuration: null } })
      const forged = yield* send(Option.getOrThrow(yield* provisioningRequest(target(receiver, singleKey(yield* generate)), network)))
      expect(forged).toMatchObject({ _tag: "Right", right: { status: 401 } })
      if (forged._tag === "Right") expect(classify(forged.right)._tag).toBe("Dead")
      // During a rotation the receiver may hold either secret.
      const rotating = rotateKeys(singleKey(yield* generate), secret, DateTime.unsafeMake(Date.now()), Duration.hours(1))
      const rotated = yield* send(Option.getOrThrow(yield* provisioningRequest(target(receiver, rotating), network)))
      expect(rotated).toMatchObject({ _tag: "Right", right: { status: 204 } })
    }), 20_000)
})

/** The `js` block of docs/push.md's receiver section, as the page shows it. */
const receiverSource = () => {
  const page = fs.readFileSync("docs/push.md", "utf8")
  const section = page.slice(page.indexOf("## A receiver in 20 lines of Node"))
  const block = /```js\n([\s\S]*?)```/.exec(section)
  if (block === null) throw new Error("docs/push.md has no js block in its receiver section")
  return block[1]!
}

const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const accepting = (port: number) =>
  Effect.async<void, Error>((resume) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.end()
      resume(Effect.void)
    })
    socket.once("error", (error) => resume(Effect.fail(error)))
  })

/**
 * The documented receiver, run as its own Node process with `secret`, for the scope's life. The
 * file goes under node_modules/.cache, from where `standardwebhooks` resolves as in a project.
 */
const documentedReceiver = (secret: string) =>
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => {
        fs.mkdirSync("node_modules/.cache", { recursive: true })
        return fs.mkdtempSync(path.join("node_modules/.cache", "provisio-receiver-"))
      }),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    const file = path.join(dir, "receiver.mjs")
    fs.writeFileSync(file, receiverSource())
    const port = yield* freePort
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [file], {
          env: { ...process.env, PROVISIO_SECRET: secret, PORT: String(port) },
          stdio: ["ignore", "ignore", "inherit"]
        })
      ),
      (child) => Effect.sync(() => child.kill())
    )
    yield* accepting(port).pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("10 seconds"))))
    return `http://127.0.0.1:${port}`
  })
