import { InputError } from '../../errors.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface ServeOptions {
  host: string;
  port: string;
  labels?: string;
  model?: string;
  features?: string;
  reloadInterval: string;
}

export const registerServe: RegisterCommand = (program) => {
  program
    .command('serve')
    .description(
      'Run the feature server: POST /get-online-features (Feast’s JSON), POST /push, ' +
        'POST /predict (online features + the model’s probability), GET /health, GET /metrics. ' +
        'Reads what `duckfeat materialize` wrote; picks up a new `apply` or model without a ' +
        'restart; DUCKFEAT_SERVE_TOKEN requires a bearer token. Ctrl-C (SIGINT) or SIGTERM ' +
        'stops it after the requests in flight.',
    )
    .option('--host <host>', 'interface to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '6566')
    .option('--labels <view>', 'the label view whose model /predict uses (default: the only one)')
    .option('--model <path>', "the model /predict scores with (default: the label view's)")
    .option('--features <service>', "the features /predict reads by default (the label view's)")
    .option('--reload-interval <ms>', 'how often the registry and model are checked', '1000')
    .action(
      action<ServeOptions>(async (opts, ctx) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new InputError(`Failed to serve: --port ${opts.port} is not a port number`);
        }
        const reloadIntervalMs = Number(opts.reloadInterval);
        if (!Number.isFinite(reloadIntervalMs) || reloadIntervalMs < 10) {
          throw new InputError(
            `Failed to serve: --reload-interval ${opts.reloadInterval} is not a number of milliseconds >= 10`,
          );
        }
        const { createServer } = await import('../../serving/create-server.js');
        const server = await createServer({
          paths: ctx.paths,
          host: opts.host,
          port,
          reloadIntervalMs,
          ...(opts.labels ? { labels: opts.labels } : {}),
          ...(opts.model ? { model: opts.model } : {}),
          ...(opts.features ? { predictFeatures: opts.features } : {}),
          log: (line) => ctx.out.warn(line),
        });
        const url = await server.listen();
        const health = await server.app.inject({ method: 'GET', url: '/health' });
        const state = JSON.parse(health.body) as {
          online_store: string;
          model: { loaded: boolean; path?: string; error?: string };
        };
        const reachable = health.statusCode === 200 ? '' : ' (not reachable now)';
        ctx.out.info(`duckfeat serve: listening on ${url}`);
        ctx.out.info(`  online store  ${state.online_store}${reachable}`);
        ctx.out.info(
          `  model         ${state.model.loaded ? state.model.path : `none (${state.model.error})`}`,
        );
        ctx.out.info(
          `  token         ${process.env['DUCKFEAT_SERVE_TOKEN'] ? 'required (DUCKFEAT_SERVE_TOKEN)' : 'none (set DUCKFEAT_SERVE_TOKEN to require one)'}`,
        );
        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (signal: string) => {
            if (stopping) {
              ctx.out.warn(`${signal} again: exiting now`);
              process.exit(130);
            }
            stopping = true;
            ctx.out.info(`duckfeat serve: ${signal}: finishing the requests in flight`);
            server.close().then(resolve, (error: unknown) => {
              ctx.out.error(`Failed to shut down cleanly: ${String(error)}`);
              resolve();
            });
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
        });
        ctx.out.info('duckfeat serve: stopped');
      }),
    );
};
