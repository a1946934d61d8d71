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
  constructor(serverless) {
    this.serverless = serverless;
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
        } catch (error) {
          if (error && error.name === 'ParamError')
            throw new serverless.classes.Error(error.message, 'NETWATCH_INVALID_PARAMS');
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
