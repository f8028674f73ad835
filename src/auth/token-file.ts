/**
 * The static token file, as kube-apiserver's --token-auth-file: CSV lines
 * `token,user,uid,"group1,group2"` (groups optional), blank lines and # comments skipped.
 * Parsing is pure; a malformed line is an error naming it, so a typo never opens a hole.
 */
import type { UserInfo } from './attributes.ts';

export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = splitCsvLine(line);
    const [token, name, uid, groups] = fields.map((f) => f.trim());
    if (fields.length < 3 || !token || !name) throw new Error(`token file line ${index + 1}: want token,user,uid[,"group1,group2"]`);
    tokens.set(token, {
      name,
      ...(uid ? { uid } : {}),
      groups: groups ? groups.split(',').map((g) => g.trim()).filter((g) => g !== '') : [],
    });
  });
  return tokens;
}

/** One CSV record: commas split fields except inside double quotes; "" is a quote. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields;
}
