#!/usr/bin/env node
// kami: the operator CLI (apps, cards, sessions, tokens, backup, restore). See docs/operations.md.
import { main } from './main';

void main('kami', process.argv.slice(2));
