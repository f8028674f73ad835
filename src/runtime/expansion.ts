/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion), used for env
 * values, command/args and subPathExpr: `$(NAME)` becomes NAME's value when NAME is
 * known and stays as written when it is not; `$$` is an escaped `$`; a `$` followed by
 * anything else, or an unclosed `$(`, is copied through unchanged.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let output = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      output += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close === -1) {
        output += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        output += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      output += `$${next}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}

/**
 * kubelet's ExpandContainerCommandAndArgs: `$(VAR)` in a container's command and args
 * refers to its resolved env. The kubelet applies it before it hands the config to a
 * runtime (runtimes never expand: `$$` would otherwise be unescaped twice).
 */
export function expandCommandAndArgs(
  container: { command?: string[]; args?: string[] },
  env: Array<{ name: string; value: string }>,
): { command?: string[]; args?: string[] } {
  const values = new Map(env.map(({ name, value }) => [name, value]));
  const expand = (words: string[]) => words.map((word) => expandVariables(word, (name) => values.get(name)));
  return {
    ...(container.command ? { command: expand(container.command) } : {}),
    ...(container.args ? { args: expand(container.args) } : {}),
  };
}
