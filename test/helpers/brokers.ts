import { MosquittoBroker } from './mosquitto';
import { TestBroker } from './mqtt-broker';

export type Broker = TestBroker | MosquittoBroker;

/**
 * The brokers the MQTT integration tests run against, each over the protocol it is there for: aedes in-process over
 * MQTT 3.1.1, Debian's mosquitto over MQTT 5.
 */
export const MQTT_BROKERS: { name: string; protocol: 4 | 5; make: () => Broker }[] = [
  { name: 'aedes, MQTT 3.1.1', protocol: 4, make: () => new TestBroker() },
  { name: 'mosquitto, MQTT 5', protocol: 5, make: () => new MosquittoBroker() },
];
