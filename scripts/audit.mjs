// `npm run audit:deps`: the dependency check. Lists the runtime dependency tree (what users install with TwinFlow)
// and asks the npm advisory database for known advisories in it and in the development tree. Advisories are printed
// with the reason they are accepted, from KNOWN below; one without a reason makes the exit code 1.
// The advisory database is on the npm registry (POST /-/npm/v1/security/advisories/bulk); a registry or mirror without
// it is reported as "could not check", not as "no advisories".
import { execFileSync } from 'node:child_process';

/** Advisories looked at and accepted, with why (package name -> reason). Empty: none accepted so far. */
const KNOWN = {};

function npm(args) {
  try {
    return {
      ok: true,
      out: execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    };
  } catch (err) {
    return { ok: false, out: String(err.stdout ?? ''), err: String(err.stderr ?? err.message) };
  }
}

const tree = JSON.parse(npm(['ls', '--omit=dev', '--all', '--json']).out || '{}');
const runtime = new Map();
(function walk(deps) {
  for (const [name, d] of Object.entries(deps ?? {})) {
    if (d.version) runtime.set(`${name}@${d.version}`, true);
    walk(d.dependencies);
  }
})(tree.dependencies);
console.log(
  `runtime dependency tree: ${runtime.size} packages (direct: ${Object.keys(tree.dependencies ?? {}).join(', ')})`,
);

let unexplained = 0;
for (const scope of [['--omit=dev'], []]) {
  const label = scope.length ? 'runtime' : 'runtime + development';
  const r = npm(['audit', '--json', ...scope]);
  let report;
  try {
    report = JSON.parse(r.out);
  } catch {
    report = undefined;
  }
  if (!report || report.error || report.statusCode || !report.vulnerabilities) {
    const why =
      report?.message ??
      report?.error?.summary ??
      r.err.split('\n').find((l) => /error/i.test(l)) ??
      'no answer';
    console.log(`${label}: could not check: the registry did not answer the advisory query (${why.trim()})`);
    continue;
  }
  const vulns = Object.values(report.vulnerabilities ?? {});
  console.log(`${label}: ${vulns.length} packages with known advisories`);
  for (const v of vulns) {
    const reason = KNOWN[v.name];
    if (!reason) unexplained++;
    console.log(
      `  ${v.severity.padEnd(8)} ${v.name} ${v.range}: ${reason ?? 'NO REASON GIVEN: fix or explain in scripts/audit.mjs'}`,
    );
  }
}
process.exit(unexplained > 0 ? 1 : 0);
