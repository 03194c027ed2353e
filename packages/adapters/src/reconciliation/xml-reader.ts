import { XmlReader } from "@provisio/core/reconciliation/ports"
import type { XmlElement } from "@provisio/core/reconciliation/xml"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { XMLParser, XMLValidator } from "fast-xml-parser"

/**
 * The core's `XmlReader` on fast-xml-parser: the document is checked for well-formedness first
 * (a problem is a `ValidationError` naming line and column), then read in document order into
 * `XmlElement`s, namespaces resolved. A DOCTYPE is refused outright, so no entity the document
 * declares is ever expanded; the predefined entities and character references are decoded.
 */

type Node = Record<string, unknown>

/** How deep elements may nest: a camt.053 document needs about 12 levels. */
const MAX_NESTING = 100

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  // Every value stays the text it was: amounts are never read as JavaScript numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Numeric character references (`&#228;`) as well as the five predefined entities.
  htmlEntities: true,
  // A camt.053 statement nests about a dozen levels; deeper is not a statement (and is refused, not thrown).
  maxNestedTags: MAX_NESTING
})

const notXml = (message: string) => Effect.fail(ValidationError.of("body", `the statement is not well-formed XML: ${message}`))

const localName = (qualified: string) => qualified.slice(qualified.indexOf(":") + 1)
const prefixOf = (qualified: string) => (qualified.includes(":") ? qualified.slice(0, qualified.indexOf(":")) : "")

/** One element of the parser's ordered output, with the namespaces in scope around it. */
const toElement = (node: Node, scope: ReadonlyMap<string, string>): XmlElement | undefined => {
  const name = Object.keys(node).find((key) => key !== ":@" && key !== "#text")
  if (name === undefined) return undefined
  const raw = (node[":@"] ?? {}) as Record<string, string>
  const inScope = new Map(scope)
  const attributes: Record<string, string> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (key === "xmlns") inScope.set("", value)
    else if (key.startsWith("xmlns:")) inScope.set(key.slice("xmlns:".length), value)
    else attributes[localName(key)] = String(value)
  }
  const content = (node[name] ?? []) as ReadonlyArray<Node>
  const children: Array<XmlElement> = []
  let text = ""
  for (const child of content) {
    if ("#text" in child) text += String(child["#text"])
    else {
      const element = toElement(child, inScope)
      if (element !== undefined) children.push(element)
    }
  }
  return { name: localName(name), namespace: inScope.get(prefixOf(name)) ?? null, attributes, children, text: text.trim() }
}

export const XmlReaderLive = Layer.succeed(XmlReader, XmlReader.of({
  read: (input) =>
    Effect.suspend(() => {
      // A byte order mark before the declaration is allowed in UTF-8; the validator would stop at it.
      const text = input.replace(/^\uFEFF/, "")
      if (text.trim() === "") return notXml("the body is empty")
      if (/<!DOCTYPE/i.test(text)) return notXml("a DOCTYPE is not accepted in a statement")
      const checked = XMLValidator.validate(text)
      if (checked !== true) {
        const { code, line, col, msg } = checked.err
        // The validator reports a document cut short as `Invalid '["Document", ...]' found.` at line 1, column 1.
        const open = code === "InvalidXml" ? /^Invalid '(\[[\s\S]*\])' found\.$/.exec(msg) : null
        if (open !== null) {
          try {
            const tags = JSON.parse(open[1]!) as ReadonlyArray<string>
            return notXml(`the document ends before these elements are closed: ${tags.join(", ")}`)
          } catch {
            // Not the list it usually is: said as the validator said it.
          }
        }
        return notXml(`line ${line}${col === undefined ? "" : `, column ${col}`}: ${msg}`)
      }
      let parsed: ReadonlyArray<Node>
      try {
        parsed = parser.parse(text) as ReadonlyArray<Node>
      } catch (error) {
        // The parser throws on what the validator lets through: elements nested past MAX_NESTING.
        const message = error instanceof Error ? error.message : String(error)
        return notXml(/nested/i.test(message) ? `elements nest deeper than ${MAX_NESTING} levels, which no statement does` : message)
      }
      const roots = parsed
        .map((node) => toElement(node, new Map()))
        .filter((element): element is XmlElement => element !== undefined)
      if (roots.length !== 1) return notXml(`a document has one root element, this one has ${roots.length}`)
      return Effect.succeed(roots[0]!)
    })
}))
