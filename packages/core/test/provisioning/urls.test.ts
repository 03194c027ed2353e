import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { checkUrl, isPrivateHost } from "../../src/provisioning/urls"

const base = (url: string) => checkUrl(url, { query: false })
const hook = (url: string) => checkUrl(url, { query: true })

describe("call URLs", () => {
  it("takes https anywhere and http on the loopback only", () => {
    expect(base("https://provider.example/provisio/")).toEqual(Either.right("https://provider.example/provisio"))
    expect(base("https://Provider.Example")).toEqual(Either.right("https://provider.example"))
    expect(base("http://localhost:8080/hooks")).toEqual(Either.right("http://localhost:8080/hooks"))
    expect(base("http://127.0.0.1:9/x")).toEqual(Either.right("http://127.0.0.1:9/x"))
    expect(Either.isLeft(base("http://provider.example"))).toBe(true)
    expect(Either.isLeft(base("http://10.0.0.1"))).toBe(true)
  })

  it("refuses what is not an absolute http(s) URL, credentials, fragments; a base also refuses a query", () => {
    for (const url of ["", "provider.example", "/relative", "ftp://provider.example", "javascript:alert(1)", "https://user:pw@provider.example", "https://provider.example/#x", `https://provider.example/${"a".repeat(2000)}`]) {
      expect(Either.isLeft(base(url)), url).toBe(true)
      expect(Either.isLeft(hook(url)), url).toBe(true)
    }
    expect(Either.isLeft(base("https://provider.example/?token=1"))).toBe(true)
    expect(hook("https://receiver.example/hook?source=provisio")).toEqual(Either.right("https://receiver.example/hook?source=provisio"))
  })

  it("knows private and loopback hosts by name or address literal", () => {
    for (const url of ["http://localhost", "https://a.localhost", "https://127.0.0.1", "https://127.1.2.3", "https://10.1.2.3", "https://172.16.0.1", "https://172.31.255.255", "https://192.168.1.1", "https://169.254.169.254", "https://100.64.0.1", "https://0.0.0.0", "https://[::1]", "https://[::ffff:127.0.0.1]", "https://[fd00::1]", "https://[fe80::1]", "https://0x7f.1", "https://LOCALHOST.", "https://foo.localhost..", "https://0x7f.1.", "https://[64:ff9b::a9fe:a9fe]", "https://[2002:a9fe:a9fe::]", "https://[::ffff:10.0.0.1]", "https://[::]", "https://[ff02::1]", "https://[2001:db8::1]", "https://198.18.0.1", "https://192.0.2.1", "https://198.51.100.1", "https://203.0.113.1", "https://192.0.0.8", "https://224.0.0.1", "https://240.0.0.1", "https://255.255.255.255"]) {
      expect(isPrivateHost(url), url).toBe(true)
    }
    for (const url of ["https://provider.example", "https://provider.example.", "https://8.8.8.8", "https://172.32.0.1", "https://192.169.0.1", "https://198.20.0.1", "https://223.255.255.255", "https://[2606:4700::1111]", "https://[64:ff9b::808:808]", "https://[::ffff:8.8.8.8]", "https://[2002:808:808::]"]) {
      expect(isPrivateHost(url), url).toBe(false)
    }
  })
})
