import { INestApplication } from '@nestjs/common';
import { AddressInfo, connect } from 'node:net';

/**
 * Sends a hand-written HTTP/1.1 request (for what clients refuse to send, such as repeated
 * headers) and resolves with the status code.
 */
export async function rawRequest(app: INestApplication, head: string): Promise<number> {
  const server = app.getHttpServer() as import('node:http').Server;
  if (!server.listening) await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`${head}\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}
