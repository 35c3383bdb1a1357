// The OPC UA server side of the scale benchmark, in its own process so the client's CPU share is measured alone:
// a node-opcua server with `pumps` pumps of 4 variables each, every numeric value changing once per second.
import { PlantServer } from '../../test/helpers/opcua-server';

export async function runServer(pumps: number): Promise<void> {
  const server = new PlantServer(pumps);
  const url = await server.start();
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (let i = 1; i <= pumps; i++) {
      const name = `Pump${String(i).padStart(2, '0')}`;
      server.set(name, 'Speed', 1000 + ((tick + i) % 100));
      server.set(name, 'Temperature', 60 + ((tick * 7 + i) % 50) / 10);
      server.set(name, 'RawLevel', 16000 + ((tick * 13 + i) % 1000));
      server.set(name, 'State', tick % 2 ? 'Running' : 'Running ');
    }
  }, 1000);
  process.send?.({ url });
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd !== 'stop') return;
    clearInterval(timer);
    void server.dispose().then(() => process.exit(0));
  });
}
