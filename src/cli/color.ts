/**
 * Whether to colour output, following no-color.org and the FORCE_COLOR convention Node and most
 * CLIs share: FORCE_COLOR wins when set (`0` or `false` turns colour off, anything else — even an
 * empty value — on); otherwise NO_COLOR turns it off only when set to a non-empty value; otherwise
 * colour needs both stdout and stderr to be terminals, so a piped plan never carries escape codes.
 */
export function colorEnabled(
  env: Readonly<Record<string, string | undefined>>,
  terminals: { readonly stdout: boolean; readonly stderr: boolean },
): boolean {
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return !["0", "false"].includes(force.trim().toLowerCase());
  const noColor = env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  return terminals.stdout && terminals.stderr;
}
