import { createKafkaBus } from '../src/backends/bus/kafka-bus.js';
import { busContract } from './bus.contract.js';
import { describeReal, kafkaProbe, realServices } from './real-services.js';

let topicSeq = 0;
describeReal('Kafka bus', [kafkaProbe], () => {
  busContract(
    'kafka',
    () =>
      createKafkaBus({
        brokers: [realServices.kafkaBroker],
        topic: `bus-contract-${Date.now()}-${process.pid}-${topicSeq++}`,
        partitions: 6,
        sessionTimeoutMs: 6000,
      }),
    { settleMs: 3000, deliveryTimeoutMs: 30_000 },
  );
});
