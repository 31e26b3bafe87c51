// The executor as `runbook demo` sees it: the local PostgreSQL failover drill (see executor/demo/).
export { runLocalFailoverDrill } from '../demo/local-failover-drill.js';
