// The shared RabbitMQ broker of the messaging tests: its URL, and a probe for whether it answers.
import amqplib from 'amqplib';

/** OSPROFILER_TEST_AMQP_URL, else guest on 127.0.0.1:5672. */
export const AMQP_URL = process.env.OSPROFILER_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** A `requireService` probe: opens an AMQP connection to `url` (2 s timeout) and closes it. */
export function amqpProbe(url: string): () => Promise<void> {
  return async () => {
    const connection = await amqplib.connect(url, { timeout: 2000 });
    await connection.close();
  };
}
