// A KafkaJS consumer-group member against Sluice: joins GROUP, consumes COUNT records of TOPIC
// from the beginning, commits each after processing, leaves. Prints one JSON line.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const kafka = new Kafka({ clientId: 'sluice-kjs-group', brokers: process.env.BOOTSTRAP.split(','), logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: process.env.GROUP, sessionTimeout: 10000, heartbeatInterval: 1000 });
  const want = parseInt(process.env.COUNT, 10);
  const seen = new Set();
  let join = null;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    join = { memberId: e.payload.memberId, leaderId: e.payload.leaderId, protocol: e.payload.groupProtocol, assignment: e.payload.memberAssignment };
  });
  await consumer.connect();
  await consumer.subscribe({ topic: process.env.TOPIC, fromBeginning: true });
  let finished;
  const done = new Promise((resolve) => { finished = resolve; });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      seen.add(`${partition}:${message.offset}`);
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      if (seen.size >= want) finished();
    },
  });
  const timer = setTimeout(() => finished(), 90000);
  await done;
  clearTimeout(timer);
  const admin = kafka.admin();
  await admin.connect();
  const committed = await admin.fetchOffsets({ groupId: process.env.GROUP, topics: [process.env.TOPIC] });
  const described = await admin.describeGroups([process.env.GROUP]);
  await admin.disconnect();
  await consumer.disconnect();
  console.log(JSON.stringify({ seen: seen.size, join, committed, described: described.groups.map((g) => ({ state: g.state, protocolType: g.protocolType, protocol: g.protocol, members: g.members.length })) }));
}

main().catch((e) => { console.error(e); process.exit(1); });
