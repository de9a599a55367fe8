// A separate process that migrates the store in the folder or at the URL it is given and prints what it applied.
import { migrateStore } from '../../../src/store/open-store.js';

const [dataDir = '', databaseUrl] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await migrateStore({ dataDir, databaseUrl })));
