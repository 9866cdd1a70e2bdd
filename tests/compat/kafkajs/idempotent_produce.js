// KafkaJS idempotent producer (InitProducerId, then batches with producer id and sequence
// numbers) against Sluice. Prints one JSON line: how many records it sent and the offsets the
// broker acknowledged.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const kafka = new Kafka({ clientId: 'sluice-idempotent', brokers: process.env.BOOTSTRAP.split(','),
                            logLevel: logLevel.WARN });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let sent = 0;
  const acks = [];
  for (let b = 0; b < 20; b++) {
    const messages = [];
    for (let i = 0; i < 50; i++) messages.push({ value: `kjs|${sent++}`, partition: b % 2 });
    const r = await producer.send({ topic: process.env.TOPIC, messages, acks: -1 });
    acks.push(...r);
  }
  await producer.disconnect();
  console.log(JSON.stringify({ sent, acks }));
}

main().catch((e) => { console.error(e); process.exit(1); });
