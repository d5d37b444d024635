// CLI contexts in tests: what a command that never prompts gets for CliContext.ask.
import type { CliContext } from '../../src/cli/context';

/** For commands that never prompt: a prompt fails the command (it throws), naming the prompt. */
export const noPrompt: CliContext['ask'] = async (prompt) => { throw new Error(`unexpected prompt: ${prompt}`); };
