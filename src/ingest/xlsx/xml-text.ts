const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decode XML character data: the five entities, numeric references, and OOXML's `_xHHHH_`
 * escapes (how Excel stores control characters in strings).
 */
export function decodeXmlText(raw: string): string {
  let text = raw;
  if (text.includes('&')) {
    text = text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
      return ENTITIES[ref] ?? whole;
    });
  }
  if (text.includes('_x')) {
    text = text.replace(/_x([0-9A-Fa-f]{4})_/g, (_whole, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
  return text;
}

/** The value of attribute `name` in the tag text `tag` (`<sheet name="A" r:id="rId1"/>`). */
export function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name.replace(':', '\\:')}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(
    tag,
  );
  if (!match) return undefined;
  return decodeXmlText(match[2] ?? match[3] ?? '');
}

/**
 * The text of a string item (`<si>` or `<is>`): all `<t>` runs joined, phonetic runs
 * (`<rPh>`) left out, as Excel shows it.
 */
export function stringItemText(item: string): string {
  const body = item.includes('<rPh') ? item.replace(/<rPh[\s>][\s\S]*?<\/rPh>/g, '') : item;
  let out = '';
  const runs = /<t(?:\s[^>]*?)?(?<!\/)>([\s\S]*?)<\/t>/g;
  for (let m = runs.exec(body); m; m = runs.exec(body)) out += m[1];
  return decodeXmlText(out);
}
