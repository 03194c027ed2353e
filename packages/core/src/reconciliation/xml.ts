/**
 * An XML document as the camt.053 reader walks it, whatever parser made it (the `XmlReader` port):
 * elements by their local name with their namespace resolved, attributes, and their text.
 */
export interface XmlElement {
  /** The local name, without a prefix: `Ntry`. */
  readonly name: string
  /** The namespace URI the element is in, null when none. */
  readonly namespace: string | null
  /** By local name, without the `xmlns` declarations. */
  readonly attributes: Readonly<Record<string, string>>
  readonly children: ReadonlyArray<XmlElement>
  /** The element's own text, entities decoded, trimmed; "" when none. */
  readonly text: string
}

/** The children named `name`, in document order. */
export const childrenNamed = (element: XmlElement | undefined, name: string): ReadonlyArray<XmlElement> =>
  element === undefined ? [] : element.children.filter((child) => child.name === name)

/** The element at `path` under `element` (the first of each name), if there is one. */
export const at = (element: XmlElement | undefined, ...path: ReadonlyArray<string>): XmlElement | undefined => {
  let current = element
  for (const name of path) {
    current = current?.children.find((child) => child.name === name)
    if (current === undefined) return undefined
  }
  return current
}

/** The text of the element at `path`, undefined when it is missing or empty. */
export const textAt = (element: XmlElement | undefined, ...path: ReadonlyArray<string>): string | undefined => {
  const found = at(element, ...path)
  return found === undefined || found.text === "" ? undefined : found.text
}
