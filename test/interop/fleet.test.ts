import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeCertificates, type TestCertificates } from '../helpers/certificates';
import { runFleet, type FleetResult } from '../helpers/fleet-scenario';

/**
 * Issue 22: three Node-RED instances own 10,000 twins each, a fourth mirrors all 30,000 through mosquitto at
 * 10,000 updates a second in total; kill -9 of an owner while QoS 1 commands flow: its standby takes over.
 */
describe('fleet: 3 x 10,000 twins, a mirror, kill -9 of an owner (real Node-RED processes, mosquitto)', function () {
  this.timeout(400_000);
  let result: FleetResult;

  before(async () => {
    result = await runFleet({
      twinsPerPartition: 10_000,
      ratePerOwner: 3334,
      steadyMs: 15_000,
      commands: 600,
      log: (text) => console.log(`      fleet: ${text}`),
    });
    console.log(JSON.stringify(result, null, 2));
  });

  it('the mirror holds all 30,000 twins with lag p99 <= 1 s at 10,000 updates/s in total', () => {
    assert.equal(result.mirroredTwins, 30_000);
    assert.ok(
      result.steady.perSecond >= 9500,
      `${result.steady.perSecond.toFixed(0)} updates/s reached the mirror`,
    );
    assert.ok(result.lag.p99 <= 1000, `lag p99 ${result.lag.p99} ms`);
  });

  it('the standby of the killed owner publishes the partition within 10 s', () => {
    assert.ok(result.takeover.publishingMs <= 10_000, `publishing after ${result.takeover.publishingMs} ms`);
  });

  it('no QoS 1 command the broker accepted is lost across the take-over', () => {
    assert.ok(result.commands.accepted > 0);
    assert.equal(result.commands.lost, 0, result.commands.lostDetail.join('\n'));
  });

  it('versions continue from where the old owner left them', () => {
    assert.ok(result.versions.checked > 0);
    assert.equal(result.versions.backwards, 0);
    assert.equal(result.versions.mirrorRegressions, 0);
  });
});

/** The same fleet over TLS, mosquitto requiring client certificates (made by the test), at a smaller scale. */
describe('fleet over TLS with client certificates: take-over, commands, versions', function () {
  this.timeout(400_000);
  let result: FleetResult;
  let certs: TestCertificates;

  before(async () => {
    certs = makeCertificates();
    result = await runFleet({
      twinsPerPartition: 1000,
      ratePerOwner: 300,
      steadyMs: 5000,
      commands: 200,
      tls: {
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKey,
        serverCert: certs.serverCert,
        serverKey: certs.serverKey,
      },
      log: (text) => console.log(`      fleet (TLS): ${text}`),
    });
    console.log(JSON.stringify(result, null, 2));
  });
  after(() => rmSync(certs.dir, { recursive: true, force: true }));

  it('mirrors every twin, the standby takes over, no accepted command is lost, versions continue', () => {
    assert.equal(result.mirroredTwins, 3000);
    assert.ok(result.takeover.publishingMs <= 10_000, `publishing after ${result.takeover.publishingMs} ms`);
    assert.ok(result.commands.accepted > 0);
    assert.equal(result.commands.lost, 0, result.commands.lostDetail.join('\n'));
    assert.equal(result.versions.backwards, 0);
    assert.equal(result.versions.mirrorRegressions, 0);
  });
});
