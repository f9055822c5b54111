import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

export const registerTeardown: RegisterCommand = (program) => {
  program
    .command('teardown')
    .description(
      "Remove the repository's project from the registry: its entities, sources, feature views, services, SQL versions and materialization records.",
    )
    .action(
      action(async (_opts, ctx) => {
        const { withRegistry } = await import('../../registry/open-for-repo.js');
        const where = await withRegistry(ctx.paths, async (registry) => {
          await registry.teardown();
          return { project: registry.project, location: registry.location };
        });
        ctx.out.info(`Removed project "${where.project}" from ${where.location}.`);
      }),
    );
};
