// The executor as `runbook approve` sees it: signing an approval and appending it to the file a run reads.
export { appendApproval, signApproval } from '../approvals/sign-approval.js';
