'use strict';
const { rmSync } = require('node:fs');
const { join } = require('node:path');
/**
 * osls plugin: the Netwatch stack. Thin on purpose — the logic is TypeScript in deploy/stack/ (typed, unit-tested,
 * and it reads the rules directly, so EventBridge patterns come from the rules' apiCalls). osls loads plugins with
 * require(), so this file is CommonJS and loads the TypeScript through tsx's ESM API (dynamic import works from CJS).
 *
 * Hooks:
 *  - initialize: validate every --param at once (clear errors, nothing built), keep the functions the mode needs,
 *    attach per-function roles, environment, KMS and VPC settings.
 *  - before:aws:package:finalize:saveServiceState: add queues, topics, tables, rules, alarms, dashboard, endpoints
 *    to the compiled template (after osls merged serverless.yml `resources`), encrypt the log groups.
 */
class NetwatchStack {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    this.hooks = {
      initialize: async () => {
        // serverless-esbuild builds into .esbuild/.build and zips what it finds there; `invoke local` leaves that
        // directory behind, and a new build does not delete files the old one wrote (a source map from a build with
        // maps on would ship in the next zip). Start every command from an empty work directory.
        rmSync(join(serverless.config.servicePath, '.esbuild', '.build'), { recursive: true, force: true });
        const stack = await this.stack();
        try {
          const local = (serverless.processedInput.commands || []).join(' ') === 'invoke local';
          this.params = stack.configureService(serverless.service, { local });
          // invoke local -e NETWATCH_CONFIG_PATH=FILE: relative to the service, YAML converted (local-config.ts).
          if (local) {
            // In place: osls hands each plugin its own copy of the options object, sharing the `env` array.
            const env = Array.isArray(this.options.env) ? this.options.env : [];
            if (typeof this.options.env === 'string') env.push(this.options.env);
            for (let i = 0; i < env.length; i++) {
              const [name, ...rest] = String(env[i]).split('=');
              if (name === 'NETWATCH_CONFIG_PATH' && rest.join('='))
                env[i] = `${name}=${await stack.localConfigPath(rest.join('='), serverless.config.servicePath)}`;
            }
            if (typeof this.options.env === 'string') this.options.env = env;
          }
        } catch (error) {
          if (error && error.name === 'ParamError')
            throw new serverless.classes.Error(error.message, 'NETWATCH_INVALID_PARAMS');
          if (error && error.code === 'BAD_CONFIG')
            throw new serverless.classes.Error(`NETWATCH_CONFIG_PATH: ${error.message}`, 'NETWATCH_INVALID_CONFIG');
          throw error;
        }
      },
      'before:aws:package:finalize:saveServiceState': async () => {
        const stack = await this.stack();
        stack.extendTemplate(
          serverless.service.provider.compiledCloudFormationTemplate,
          serverless.service,
          this.params,
        );
      },
    };
  }

  async stack() {
    if (!this.loaded) {
      const { tsImport } = await import('tsx/esm/api');
      this.loaded = await tsImport('./stack/index.ts', __filename);
    }
    return this.loaded;
  }
}

module.exports = NetwatchStack;
