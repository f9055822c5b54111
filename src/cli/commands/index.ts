import type { Command } from 'commander';
import { registerApply } from './apply.js';
import { registerDescribe } from './describe.js';
import { registerIngest } from './ingest.js';
import { registerList } from './list.js';
import { registerMaterialize } from './materialize.js';
import { registerPlan } from './plan.js';
import { registerPredict } from './predict.js';
import { registerPrep } from './prep.js';
import { registerReport } from './report.js';
import { registerRetrieve } from './retrieve.js';
import { registerServe } from './serve.js';
import { registerSql } from './sql.js';
import { registerSynth } from './synth.js';
import { registerTeardown } from './teardown.js';
import { registerTrain } from './train.js';
import { registerWorker } from './worker.js';

/** A CLI command: adds itself (name, options, help, action) to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every command, in the order `duckfeat --help` lists them. */
export const commands: RegisterCommand[] = [
  registerSynth,
  registerIngest,
  registerPrep,
  registerWorker,
  registerPlan,
  registerApply,
  registerTeardown,
  registerList,
  registerDescribe,
  registerSql,
  registerRetrieve,
  registerTrain,
  registerPredict,
  registerReport,
  registerMaterialize,
  registerServe,
];
