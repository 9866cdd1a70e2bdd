// KafkaJS admin + producer against a Sluice broker. Prints one JSON line with what it did.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const kafka = new Kafka({ clientId: 'sluice-compat', brokers: [process.env.BOOTSTRAP], logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic: 'kjs', numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  const again = await admin.createTopics({ topics: [{ topic: 'kjs', numPartitions: 2, replicationFactor: 1 }] });
  const topics = await admin.listTopics();
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < 1000; i++) messages.push({ key: `k${i}`, value: `v${i}`, headers: { h: 'x' } });
  const acks = await producer.send({ topic: 'kjs', messages, acks: 1 });
  const gz = await producer.send({ topic: 'kjs', messages: [{ key: 'z', value: 'gzipped' }], compression: 1 });
  const offsets = await admin.fetchTopicOffsets('kjs');
  await producer.disconnect();
  await admin.disconnect();
  console.log(JSON.stringify({ created, again, topics, acks: acks.length + gz.length, offsets }));
}

main().catch((e) => { console.error(e); process.exit(1); });
