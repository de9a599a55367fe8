// The store's modules (kysely, the SQLite and PostgreSQL drivers), imported by the commands that open a store rather
// than at every start of the command line.
export const storeModule = (): Promise<typeof import('../store/open-store.js')> => import('../store/open-store.js');
