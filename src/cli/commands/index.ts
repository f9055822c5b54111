import type { Command } from 'commander';
import { registerPrep } from './prep.js';

/** A CLI command: adds itself (name, options, help, action) to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every command, in the order `duckfeat --help` lists them. */
export const commands: RegisterCommand[] = [registerPrep];
