// Loaded with `node --import` into a CLI child by the library end-to-end tests only (never by
// product code): like an /etc/hosts entry, it makes every `*.rds.amazonaws.com` name resolve to
// 127.0.0.1, where the test's throwaway PostgreSQL listens. moto reports endpoints such as
// `<id>.aaaaaaaaaa.us-east-1.rds.amazonaws.com` that resolve nowhere; the runbook's checks connect
// to that host (postgres.query `host:` replaces only the host, the port stays the URL's).
// net.connect resolves through dns.lookup (Node docs, net.connect `lookup` option: defaults to
// dns.lookup), read at call time, so replacing the module's function is enough.
import dns from 'node:dns';

const rds = /\.rds\.amazonaws\.com\.?$/i;
const original = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof hostname !== 'string' || !rds.test(hostname)) return original.call(dns, hostname, options, callback);
  const cb = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  return {};
};
