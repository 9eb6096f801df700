#!/usr/bin/env node
/** Entry point of the `release-hall` command. */
import { run } from './program.js';

process.exitCode = await run();
