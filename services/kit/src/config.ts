/**
 * Service configuration from, in increasing precedence: defaults, a JSON file, environment
 * variables, command-line options. One zod schema describes every setting; each setting `fooBar`
 * is `--foo-bar` on the command line and `<PREFIX>_FOO_BAR` in the environment, and the file is
 * chosen with `--config` or `<PREFIX>_CONFIG`. Anything invalid is reported at once, naming the
 * setting and where it came from.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { z } from 'zod';

/**
 * A boolean setting: "true"/"false" (command line, environment) or a JSON boolean (file); anything
 * else, "1", "yes" or a typo included, is a configuration error rather than a silent choice of
 * either (z.coerce.boolean would read the string "false" as true).
 */
export const strictBoolean = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'must be true or false' }),
);

export class ConfigError extends Error {
  constructor(
    message: string,
    /** True when --help was asked for and printed: not an error, the process should just end. */
    readonly helpShown = false,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** e.g. "MITHRIL_CERTIFIER": settings come from MITHRIL_CERTIFIER_<SETTING>. */
  readonly envPrefix: string;
  readonly argv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly programName?: string;
  /** One line per setting for --help. */
  readonly descriptions?: Readonly<Record<string, string>>;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** The environment variable of setting `key` (`storeUrl` → `<PREFIX>_STORE_URL`; `config` → the file's `<PREFIX>_CONFIG`):
 * exported so that the manifest checker (scripts/kubernetes) names variables exactly as services read them. */
export function settingEnvName(envPrefix: string, key: string): string {
  return `${envPrefix}_${snake(key)}`;
}

export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadConfigOptions): z.infer<S> {
  const keys = Object.keys(schema.shape);
  const env = options.env ?? process.env;
  const program = new Command(options.programName ?? 'service')
    .exitOverride()
    // Parse errors are reported once, by the ConfigError the caller prints.
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false)
    .option('--config <file>', 'JSON configuration file');
  for (const key of keys) program.option(`--${kebab(key)} <value>`, options.descriptions?.[key] ?? key);
  try {
    program.parse([...(options.argv ?? process.argv.slice(2))], { from: 'user' });
  } catch (error) {
    const helpShown = (error as { code?: string }).code === 'commander.helpDisplayed';
    throw new ConfigError((error as Error).message, helpShown);
  }
  const cli = program.opts<Record<string, string | undefined>>();

  const sources: { name: string; values: Record<string, unknown> }[] = [];
  const file = cli.config ?? env[settingEnvName(options.envPrefix, 'config')];
  if (file !== undefined) sources.push({ name: `file ${file}`, values: readConfigFile(file) });
  const fromEnv: Record<string, unknown> = {};
  for (const key of keys) {
    const value = env[settingEnvName(options.envPrefix, key)];
    if (value !== undefined) fromEnv[key] = value;
  }
  sources.push({ name: 'environment', values: fromEnv });
  const fromArgs: Record<string, unknown> = {};
  for (const key of keys) if (cli[key] !== undefined) fromArgs[key] = cli[key];
  sources.push({ name: 'command line', values: fromArgs });

  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const { name, values } of sources) {
    for (const [key, value] of Object.entries(values)) {
      if (!keys.includes(key)) throw new ConfigError(`unknown setting "${key}" in ${name}`);
      merged[key] = value;
      origin[key] = name;
    }
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return `${key || 'configuration'} (${origin[key] ?? 'default'}): ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`configuration file ${path} must hold a JSON object`);
  return value as Record<string, unknown>;
}
