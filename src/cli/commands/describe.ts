import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

export const registerDescribe: RegisterCommand = (program) => {
  program
    .command('describe')
    .description(
      'Print one registered object (feature view, feature service, entity or data source) as JSON; a view also shows its SQL version and materializations.',
    )
    .argument('<name>', 'the object to describe')
    .option('--json', 'print as JSON (accepted for consistency: the output is always JSON)')
    .action(
      action(async (_opts, ctx, command) => {
        const name = String(command.args[0]);
        const { withRegistry } = await import('../../registry/open-for-repo.js');
        ctx.out.data(await withRegistry(ctx.paths, (registry) => registry.describe(name)));
      }),
    );
};
