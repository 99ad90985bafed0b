// The SQL client the repositories read and write through: the one place this package imports the store's client from,
// so moving that client to another package changes one line.
export { migrate, type SqlClient } from '@logperf/cluster';
