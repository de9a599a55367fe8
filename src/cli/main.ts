#!/usr/bin/env node
// The `studio` command's entry: `serve` may first move to a child process with huge pages (huge-pages.ts), decided
// before the command line's modules load, so that the process left waiting for it stays small.
import { hugePagesChildEnvironment, takeHugePagesChildMark } from '../config/huge-pages-environment.js';
import { endWithParent, relaunchWithHugePages } from './huge-pages.js';

const childEnvironment = hugePagesChildEnvironment(process.argv);
if (childEnvironment !== undefined) {
  relaunchWithHugePages(childEnvironment);
} else {
  if (takeHugePagesChildMark()) endWithParent();
  await import('./program.js');
}
