/**
 * Runs a one-shot command in a subshell, so that `exit 3` ends the subshell with status 3
 * instead of killing the guest's login shell (whose end the exec markers would never see).
 * Newlines rather than `( … )` on one line, so that a trailing `# comment` cannot swallow the `)`.
 */
export function inSubshell(command: string): string {
  return `(\n${command.trim()}\n)`;
}
