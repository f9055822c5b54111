import type { Command } from 'commander';
import { formatPlan } from '../../registry/plan.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface PlanOptions {
  json?: boolean;
  checkSources: boolean;
}

/** Options shared by `plan` and `apply`. */
export function planOptions(command: Command): Command {
  return command
    .option('--json', 'print the plan as JSON on stdout')
    .option(
      '--no-check-sources',
      "skip reading each source's schema with DuckDB (checked by default)",
    );
}

export const registerPlan: RegisterCommand = (program) => {
  planOptions(
    program
      .command('plan')
      .description(
        'Show what `apply` would change in the registry: objects to add, change (field by field) and delete. Changes nothing.',
      ),
  ).action(
    action<PlanOptions>(async (opts, ctx) => {
      const { withRepositoryRegistry } = await import('../../registry/open-for-repo.js');
      const plan = await withRepositoryRegistry(
        ctx.paths,
        {
          checkSources: opts.checkSources,
          onSkipped: (c) => ctx.out.warn(`schema of ${c.view} not checked: ${c.skipped}`),
        },
        (registry, repo) => registry.planApply(repo),
      );
      if (opts.json) ctx.out.data(plan);
      else for (const line of formatPlan(plan)) ctx.out.info(line);
    }),
  );
};
