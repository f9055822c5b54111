import { formatPlan } from '../../registry/plan.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';
import { planOptions } from './plan.js';

interface ApplyOptions {
  json?: boolean;
  checkSources: boolean;
}

export const registerApply: RegisterCommand = (program) => {
  planOptions(
    program
      .command('apply')
      .description(
        'Sync the feature repository to the registry: validate it, print the plan and apply it in one transaction (concurrent applies wait for each other). Prints "No changes." when in sync.',
      ),
  ).action(
    action<ApplyOptions>(async (opts, ctx) => {
      // Loaded here, not at the top: `duckfeat --help` should not load PGlite, Kysely and tsx.
      const { withRepositoryRegistry } = await import('../../registry/open-for-repo.js');
      const plan = await withRepositoryRegistry(
        ctx.paths,
        {
          checkSources: opts.checkSources,
          onSkipped: (c) => ctx.out.warn(`schema of ${c.view} not checked: ${c.skipped}`),
        },
        (registry, repo) => registry.apply(repo),
      );
      if (opts.json) ctx.out.data(plan);
      else {
        for (const line of formatPlan(plan)) ctx.out.info(line);
        if (plan.changes.length > 0) ctx.out.info('Applied.');
      }
    }),
  );
};
