package group

import "unicode/utf16"

// OffsetsTopic is the name of the internal topic holding group metadata and
// committed offsets.
const OffsetsTopic = "__consumer_offsets"

// PartitionFor returns the partition of __consumer_offsets that stores
// groupID, as Kafka computes it (GroupMetadataManager.partitionFor):
// Utils.abs(groupId.hashCode) % partitions, with Java's String.hashCode over
// UTF-16 code units and Utils.abs mapping Integer.MIN_VALUE to 0. Matching it
// matters: Kafka tools and a mixed cluster find the coordinator the same way.
func PartitionFor(groupID string, partitions int32) int32 {
	if partitions <= 0 {
		return 0
	}
	return javaAbs(javaStringHash(groupID)) % partitions
}

// javaStringHash is java.lang.String.hashCode: h = 31*h + c over UTF-16 code
// units, wrapping at 32 bits.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r < 0x10000 {
			h = 31*h + int32(r)
			continue
		}
		hi, lo := utf16.EncodeRune(r)
		h = 31*h + int32(hi)
		h = 31*h + int32(lo)
	}
	return h
}

// javaAbs is org.apache.kafka.common.utils.Utils.abs.
func javaAbs(n int32) int32 {
	if n == -1<<31 {
		return 0
	}
	if n < 0 {
		return -n
	}
	return n
}
