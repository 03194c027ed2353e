/**
 * The language to write in for a language tag: the tag itself (`de-AT`), else its primary
 * language (`de`), else English, whichever `has` first; English when none is.
 */
export const bestLanguage = (tag: string, has: (language: string) => boolean): string =>
  [tag, tag.split("-")[0]!.toLowerCase(), "en"].find(has) ?? "en"
