# kafka-python (Debian python3-kafka 2.0.2): probes with ApiVersions v0 and
# Metadata v0, uses old group API versions (protocol.md, quirk 2).
# Usage: kafka_python.py <bootstrap> <topic>; prints OK and exits 0 on success.
import sys
from kafka import KafkaProducer, KafkaConsumer

addr, topic = sys.argv[1], sys.argv[2]
p = KafkaProducer(bootstrap_servers=addr, acks='all')
for i in range(100):
    p.send(topic, key=str(i).encode(), value=("v%d" % i).encode())
p.flush()
c = KafkaConsumer(topic, bootstrap_servers=addr, group_id='kafka-python-group',
                  auto_offset_reset='earliest', consumer_timeout_ms=30000)
n = 0
for m in c:
    n += 1
    if n == 100:
        break
c.commit()
c.close()
print("OK" if n == 100 else "FAIL: consumed %d of 100" % n)
sys.exit(0 if n == 100 else 1)
