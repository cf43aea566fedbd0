/** Entry of the bundled `ferry` command (out/cli/ferry.mjs). */
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
