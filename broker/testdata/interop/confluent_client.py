# confluent-kafka-python (librdkafka): idempotent zstd producer, then a
# consumer group (protocol.md, quirks 1, 4, 5).
# Usage: confluent_client.py <bootstrap> <topic>; prints OK and exits 0 on success.
import sys
import time
from confluent_kafka import Producer, Consumer

addr, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': addr, 'enable.idempotence': True, 'compression.type': 'zstd'})
for i in range(100):
    p.produce(topic, key=str(i), value="v%d" % i)
if p.flush(30) != 0:
    print("FAIL: records left unsent")
    sys.exit(1)
c = Consumer({'bootstrap.servers': addr, 'group.id': 'confluent-group', 'auto.offset.reset': 'earliest'})
c.subscribe([topic])
n, deadline = 0, time.time() + 60
while n < 100 and time.time() < deadline:
    m = c.poll(1.0)
    if m is None:
        continue
    if m.error():
        print("consumer error:", m.error())
        continue
    n += 1
c.commit(asynchronous=False)
c.close()
print("OK" if n == 100 else "FAIL: consumed %d of 100" % n)
sys.exit(0 if n == 100 else 1)
