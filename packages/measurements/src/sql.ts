// The SQL client the repositories read and write through, from the platform every node runs on.
export { migrate, type SqlClient } from '@logperf/platform';
